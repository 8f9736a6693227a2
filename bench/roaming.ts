// Figure 3: roaming. The client lives in its own network namespace (test/harness/netns.ts)
// and moves to a new address the way a laptop changes Wi-Fi: the old TCP link becomes a
// black hole. Time from the address change to a ticker line printed after it on the
// screen: stayssh (watches its addresses, re-dials at once) vs autossh + ssh + tmux with
// the same ServerAlive settings (must wait for the keepalive verdict, then restart).
import { writeFileSync } from 'node:fs';
import type { Terminal } from '../test/harness/terminal.js';
import { knownHostsEntry } from '../test/harness/keys.js';
import type { TestServer } from '../test/harness/test-server.js';
import { clientArgs } from '../test/harness/ssh-client.js';
import { staysshCommandLine } from '../test/harness/stayssh-cli.js';
import {
  createRoamingTopology,
  requireNetnsSupport,
  serveSshdInNamespace,
  sweepStaleNamespaces,
  type NamespacedSshd,
  type RoamingTopology,
} from '../test/harness/netns.js';
import type { Rig } from './rig.js';
import { attempt, type Outcome } from './outcome.js';
import { summarize, type Summary } from './stats.js';
import { startTicker, waitForTickAfter } from './ticker.js';
import { USER_ALIVE } from './reattach.js';

/** Roams for stayssh (the helper prepares 4 access networks: 3 moves). */
export const ROAMS = 3;
/** stayssh must be back well before a keepalive verdict could explain it, ms. */
const STAYSSH_ROAM_TIMEOUT_MS = 30_000;
/** autossh waits for 5 s × 2 (+1) of silence, then restarts ssh, ms. */
const AUTOSSH_ROAM_TIMEOUT_MS = 45_000;

export interface RoamingResult {
  stayssh: Outcome<{ samplesMs: number[]; summary: Summary }>;
  /** One roam: it costs a keepalive verdict (~15 s) each. */
  autossh: Outcome<{ samplesMs: number[]; summary: Summary }>;
}

interface Net {
  topo: RoamingTopology;
  served: NamespacedSshd;
  knownHosts: string;
}

async function withNetwork<T>(rig: Rig, name: string, fn: (net: Net) => Promise<T>): Promise<T> {
  const topo = await createRoamingTopology();
  const undoTopo = rig.defer('netns topology', () => topo.destroy());
  try {
    const served = await serveSshdInNamespace(rig.sshd, topo);
    const undoSshd = rig.defer('namespaced sshd', () => served.stop());
    try {
      const knownHosts = rig.tmp.join(`known_hosts_${name}`);
      writeFileSync(knownHosts, `${rig.sshd.hostKeyPubs.map((k) => knownHostsEntry(served.host, served.port, k)).join('\n')}\n`);
      return await fn({ topo, served, knownHosts });
    } finally {
      await undoSshd();
    }
  } finally {
    await undoTopo();
  }
}

async function roamLoop(net: Net, term: Terminal, roams: number, timeoutMs: number): Promise<number[]> {
  await term.waitForText(/\$\s*$/m, { timeoutMs: 20_000 });
  await startTicker(term);
  const samples: number[] = [];
  for (let i = 1; i <= roams; i++) {
    const { from, to } = await net.topo.moveClient();
    // From the moment the old address is gone (moveClient resolved): until then the old
    // link still carries ticks, which would pass for a reattach.
    const movedAtMs = Date.now();
    const watch = await waitForTickAfter(term, movedAtMs, timeoutMs).catch((err: Error) => {
      throw new Error(`roam ${i} (${from} -> ${to}): ${err.message}`);
    });
    samples.push(watch.seenAtMs - movedAtMs);
  }
  return samples;
}

export async function measureRoaming(rig: Rig): Promise<RoamingResult> {
  await requireNetnsSupport();
  await sweepStaleNamespaces();
  // The harness sshd's keys and user, reached at the namespaced address.
  const server = (net: Net): TestServer => ({
    kind: 'sshd',
    host: net.served.host,
    port: net.served.port,
    user: rig.sshd.user,
    password: rig.sshd.password,
    clientKeyPath: rig.sshd.clientKeyPath,
    hostKeyPub: rig.sshd.hostKeyPub,
    knownHostsPath: net.knownHosts,
    knownHostsLine: (alias = net.served.host, port = net.served.port) => rig.sshd.knownHostsLine(alias, port),
    close: async () => undefined,
  });

  const stayssh = await attempt(() =>
    withNetwork(rig, 'stayssh', async (net) => {
      const argv = staysshCommandLine(clientArgs(server(net), { port: net.served.port, knownHostsFile: net.knownHosts, options: USER_ALIVE }));
      const term = await rig.terminal({ command: net.topo.inClient(argv), cols: 100, rows: 30 });
      try {
        const samples = await roamLoop(net, term, ROAMS, STAYSSH_ROAM_TIMEOUT_MS);
        return { samplesMs: samples, summary: summarize(samples) };
      } finally {
        await term.close();
      }
    }),
  );

  const autossh = await attempt(() =>
    withNetwork(rig, 'autossh', async (net) => {
      const ssh = clientArgs(server(net), { port: net.served.port, knownHostsFile: net.knownHosts, options: USER_ALIVE, extra: ['-t'] });
      const argv = ['autossh', '-M', '0', ...ssh, 'tmux new -A -s r'];
      const term = await rig.terminal({ command: net.topo.inClient(argv), cols: 100, rows: 30, env: { AUTOSSH_GATETIME: '0' } });
      try {
        const samples = await roamLoop(net, term, 1, AUTOSSH_ROAM_TIMEOUT_MS);
        return { samplesMs: samples, summary: summarize(samples) };
      } finally {
        await term.close();
      }
    }),
  );
  return { stayssh, autossh };
}
