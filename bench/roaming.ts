// Figure 3: roaming. The client lives in its own network namespace (test/harness/netns.ts)
// and moves to a new address the way a laptop changes Wi-Fi: the old TCP link becomes a
// black hole. Two things are timed from the address change, each for stayssh (watches
// its addresses, re-dials at once) and for autossh with the same ServerAlive settings
// (must wait for the keepalive verdict, then restart ssh):
//   shell   a ticker line printed after the change is on the screen (autossh + ssh + tmux);
//   tunnel  a connection through a `-N -L` port gets its echo from an echo server on the
//           server's side (autossh -M 0 ssh -N -L). The connection is opened right after
//           the change and, if it is refused or cut, opened again at once, as a client
//           that retries would.
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { start } from '../test/harness/run.js';
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
import { startEchoInNamespace, startProberInNamespace, type NamespacedProber } from '../test/harness/netns-tcp.js';
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
/** The -L port in the client namespace (a fresh namespace: nothing else listens there). */
const TUNNEL_PORT = 15432;
/** ms for the first login and the tunnel's first echo. */
const TUNNEL_UP_TIMEOUT_MS = 30_000;

export interface RoamSamples {
  samplesMs: number[];
  summary: Summary;
}

export interface RoamingResult {
  /** The shell back on screen (stayssh, tmux). */
  stayssh: Outcome<RoamSamples>;
  /** autossh + ssh + tmux; one roam: it costs a keepalive verdict (~15 s) each. */
  autossh: Outcome<RoamSamples>;
  /** `stayssh -N -L`: a fresh connection through the port echoes again. */
  tunnel: Outcome<RoamSamples>;
  /** `autossh -M 0 ssh -N -L`, one roam. */
  autosshTunnel: Outcome<RoamSamples>;
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

/**
 * Starts `argv` (a tunnel client, inside the client namespace) with an echo server on the
 * server side and a prober on the client side; waits until the tunnel echoes, then roams
 * `roams` times and times each roam until a connection through the port echoes again.
 */
async function tunnelRoamLoop(rig: Rig, net: Net, client: (echoPort: number) => string[], env: Record<string, string>, roams: number, timeoutMs: number): Promise<number[]> {
  const echo = await startEchoInNamespace((argv) => net.topo.inServer(argv));
  const undoEcho = rig.defer('namespaced echo server', () => echo.stop());
  let prober: NamespacedProber | undefined;
  const undoProber = rig.defer('namespaced prober', () => prober?.stop());
  const [cmd = 'ip', ...args] = net.topo.inClient(client(echo.port));
  const proc = start(cmd, args, { env: { ...rig.env, ...env } });
  const undoClient = rig.defer('tunnel client', async () => {
    // SIGTERM, which autossh passes on to its ssh; then the exit, not the pipes' close
    // (an ssh left running would hold them open). The namespace's removal kills the rest.
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
    const exited = once(proc.child, 'exit');
    proc.kill('SIGTERM');
    await exited;
  });
  try {
    prober = await startProberInNamespace((argv) => net.topo.inClient(argv));
    const up = await prober.echo(TUNNEL_PORT, 'up?', { timeoutMs: TUNNEL_UP_TIMEOUT_MS, retry: true });
    if (!up.ok) throw new Error(`the tunnel never carried data: ${up.error}\n${proc.stderr().slice(-1000)}`);
    const samples: number[] = [];
    for (let i = 1; i <= roams; i++) {
      const { from, to } = await net.topo.moveClient();
      const movedAtMs = Date.now();
      const back = await prober.echo(TUNNEL_PORT, `roam ${i}`, { timeoutMs, retry: true });
      if (!back.ok) throw new Error(`roam ${i} (${from} -> ${to}): no echo through the tunnel within ${timeoutMs} ms: ${back.error}\n${proc.stderr().slice(-1000)}`);
      samples.push(back.atMs - movedAtMs);
    }
    return samples;
  } finally {
    await undoClient();
    await undoProber();
    await undoEcho();
  }
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

  const samplesOf = (samples: number[]): RoamSamples => ({ samplesMs: samples, summary: summarize(samples) });
  /** One client's measurement, its duration on stderr (the figure has one budget for all four). */
  const part = async (label: string, fn: () => Promise<RoamSamples>): Promise<Outcome<RoamSamples>> => {
    const started = Date.now();
    const out = await attempt(fn);
    process.stderr.write(`bench: roaming, ${label}: ${out.ok ? 'done' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return out;
  };

  const stayssh = await part('shell, stayssh', () =>
    withNetwork(rig, 'stayssh', async (net) => {
      const argv = staysshCommandLine(clientArgs(server(net), { port: net.served.port, knownHostsFile: net.knownHosts, options: USER_ALIVE }));
      const term = await rig.terminal({ command: net.topo.inClient(argv), cols: 100, rows: 30 });
      try {
        return samplesOf(await roamLoop(net, term, ROAMS, STAYSSH_ROAM_TIMEOUT_MS));
      } finally {
        await term.close();
      }
    }),
  );

  // Right after the shell, so that both stayssh figures see the same machine load.
  const tunnel = await part('tunnel, stayssh', () =>
    withNetwork(rig, 'stayssh_tunnel', async (net) => {
      const client = (echoPort: number) =>
        staysshCommandLine(
          clientArgs(server(net), { port: net.served.port, knownHostsFile: net.knownHosts, options: USER_ALIVE, extra: ['-N', '-L', `${TUNNEL_PORT}:127.0.0.1:${echoPort}`] }),
        );
      return samplesOf(await tunnelRoamLoop(rig, net, client, {}, ROAMS, STAYSSH_ROAM_TIMEOUT_MS));
    }),
  );

  const autossh = await part('shell, autossh', () =>
    withNetwork(rig, 'autossh', async (net) => {
      const ssh = clientArgs(server(net), { port: net.served.port, knownHostsFile: net.knownHosts, options: USER_ALIVE, extra: ['-t'] });
      const argv = ['autossh', '-M', '0', ...ssh, 'tmux new -A -s r'];
      const term = await rig.terminal({ command: net.topo.inClient(argv), cols: 100, rows: 30, env: { AUTOSSH_GATETIME: '0' } });
      try {
        return samplesOf(await roamLoop(net, term, 1, AUTOSSH_ROAM_TIMEOUT_MS));
      } finally {
        await term.close();
      }
    }),
  );

  const autosshTunnel = await part('tunnel, autossh', () =>
    withNetwork(rig, 'autossh_tunnel', async (net) => {
      // ExitOnForwardFailure: the usual advice for autossh tunnels (a failed bind restarts ssh).
      const client = (echoPort: number) => [
        'autossh',
        '-M',
        '0',
        ...clientArgs(server(net), {
          port: net.served.port,
          knownHostsFile: net.knownHosts,
          options: { ...USER_ALIVE, ExitOnForwardFailure: 'yes' },
          extra: ['-N', '-L', `${TUNNEL_PORT}:127.0.0.1:${echoPort}`],
        }),
      ];
      return samplesOf(await tunnelRoamLoop(rig, net, client, { AUTOSSH_GATETIME: '0' }, 1, AUTOSSH_ROAM_TIMEOUT_MS));
    }),
  );
  return { stayssh, autossh, tunnel, autosshTunnel };
}
