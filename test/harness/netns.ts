// A two-namespace network for roaming tests and benchmarks (needs root and iproute2):
//
//   server ns  veth0  198.18.0.1/24      the server's address (sshd listens here)
//                     198.18.N.1/24      the gateway of each "access network" N = 1..4
//   client ns  veth0  198.18.1.2/24      first access network, default via 198.18.1.1
//
// moveClient() roams like a laptop changing Wi-Fi: the next network's address is added,
// the old one deleted, the default route pointed at the new gateway. The old TCP link is
// then a black hole (the server's replies go to an address nobody owns), exactly what
// keepalives would take ServerAliveInterval × ServerAliveCountMax to notice.
//
// Nothing outside the two namespaces is touched: the veth pair is created directly inside
// them, and the addresses come from 198.18.0.0/15 (RFC 2544, reserved for benchmarking).
// Namespace names carry our pid, so parallel runs never collide and leftovers of a
// crashed run are recognisable (sweepStaleNamespaces).
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { run, runOk, start, type Running } from './run.js';
import { isAlive } from './process-tree.js';
import type { SshdHandle } from './sshd.js';
import { demand, toolPath } from './requirements.js';
import { waitFor } from './wait-for.js';

const PREFIX = 'stayssh-';
/** Access networks prepared on the server side: how many times a client can move. */
const ACCESS_NETWORKS = 4;
export const SERVER_ADDRESS = '198.18.0.1';
/** ms for sshd inside the namespace to say it listens (~20 ms idle, seconds on loaded CI). */
const SSHD_READY_TIMEOUT_MS = 15_000;

let sequence = 0;

export interface RoamingTopology {
  readonly serverNs: string;
  readonly clientNs: string;
  readonly serverAddress: string;
  /** The client's current address. */
  readonly clientAddress: string;
  /** argv that runs `argv` inside the client namespace. */
  inClient(argv: readonly string[]): string[];
  /** argv that runs `argv` inside the server namespace. */
  inServer(argv: readonly string[]): string[];
  /** Roams to the next access network; resolves once the kernel has applied it. */
  moveClient(): Promise<{ from: string; to: string }>;
  /** Kills whatever still runs inside, deletes both namespaces; safe to call twice. */
  destroy(): Promise<void>;
}

/** What a roaming test needs: root, to create network namespaces, and iproute2's `ip`. */
export const NETNS_REQUIREMENTS = ['root', 'ip'] as const;

/**
 * Throws MissingRequirement (one line) unless we are root with iproute2 (CI runs as root),
 * and an error quoting `ip` when this kernel or container refuses network namespaces.
 */
export async function requireNetnsSupport(): Promise<void> {
  demand(...NETNS_REQUIREMENTS);
  const probe = await run('ip', ['netns', 'list'], { timeoutMs: 5_000 });
  if (probe.code !== 0) throw new Error(`"ip netns list" fails here, so network namespaces cannot be made: ${probe.stderr.trim()}`);
}

/** Deletes namespaces left by runs whose process is gone (a crash or SIGKILL skipped after()). */
export async function sweepStaleNamespaces(): Promise<void> {
  const list = await runOk('ip', ['netns', 'list']);
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const pid = /^stayssh-(\d+)-/.exec(name)?.[1];
    if (pid !== undefined && Number(pid) !== process.pid && !isAlive(Number(pid))) await deleteNamespace(name);
  }
}

export async function createRoamingTopology(): Promise<RoamingTopology> {
  const id = `${process.pid}-${++sequence}`;
  const serverNs = `${PREFIX}${id}-srv`;
  const clientNs = `${PREFIX}${id}-cli`;
  const topo = new Topology(serverNs, clientNs);
  try {
    await topo.build();
    return topo;
  } catch (err) {
    await topo.destroy();
    throw err;
  }
}

class Topology implements RoamingTopology {
  readonly serverAddress = SERVER_ADDRESS;
  private network = 1;
  private destroyed = false;

  constructor(
    readonly serverNs: string,
    readonly clientNs: string,
  ) {}

  get clientAddress(): string {
    return `198.18.${this.network}.2`;
  }

  inClient(argv: readonly string[]): string[] {
    return ['ip', 'netns', 'exec', this.clientNs, ...argv];
  }

  inServer(argv: readonly string[]): string[] {
    return ['ip', 'netns', 'exec', this.serverNs, ...argv];
  }

  async build(): Promise<void> {
    await ip('netns', 'add', this.serverNs);
    await ip('netns', 'add', this.clientNs);
    await ip('link', 'add', 'name', 'veth0', 'netns', this.serverNs, 'type', 'veth', 'peer', 'name', 'veth0', 'netns', this.clientNs);
    for (const ns of [this.serverNs, this.clientNs]) {
      await ip('-n', ns, 'link', 'set', 'lo', 'up');
      await ip('-n', ns, 'link', 'set', 'veth0', 'up');
    }
    await ip('-n', this.serverNs, 'addr', 'add', `${SERVER_ADDRESS}/24`, 'dev', 'veth0');
    for (let n = 1; n <= ACCESS_NETWORKS; n++) await ip('-n', this.serverNs, 'addr', 'add', `198.18.${n}.1/24`, 'dev', 'veth0');
    await ip('-n', this.clientNs, 'addr', 'add', `${this.clientAddress}/24`, 'dev', 'veth0');
    await ip('-n', this.clientNs, 'route', 'add', 'default', 'via', `198.18.${this.network}.1`);
    // The first packet must not wait for duplicate-address detection or a slow ARP.
    await waitFor(async () => (await run('ip', this.inClient(['ping', '-c1', '-W1', SERVER_ADDRESS]))).code === 0, {
      timeoutMs: 10_000,
      what: `the server namespace to answer ping at ${SERVER_ADDRESS}`,
    }).catch(() => undefined); // ping may be missing; sshd's readiness is checked separately.
  }

  async moveClient(): Promise<{ from: string; to: string }> {
    if (this.network >= ACCESS_NETWORKS) throw new Error(`moveClient: only ${ACCESS_NETWORKS} access networks prepared`);
    const from = this.clientAddress;
    this.network++;
    const to = this.clientAddress;
    const n = this.clientNs;
    await ip('-n', n, 'addr', 'add', `${to}/24`, 'dev', 'veth0');
    await ip('-n', n, 'addr', 'del', `${from}/24`, 'dev', 'veth0');
    await ip('-n', n, 'route', 'replace', 'default', 'via', `198.18.${this.network}.1`);
    return { from, to };
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const ns of [this.clientNs, this.serverNs]) await deleteNamespace(ns);
  }
}

async function deleteNamespace(ns: string): Promise<void> {
  // A namespace lives on while processes run in it: end them first (they are ours).
  const pids = await run('ip', ['netns', 'pids', ns], { timeoutMs: 5_000 }).catch(() => undefined);
  for (const pid of (pids?.stdout ?? '').split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await run('ip', ['netns', 'del', ns], { timeoutMs: 5_000 }).catch(() => undefined);
}

async function ip(...args: string[]): Promise<void> {
  await runOk('ip', args, { timeoutMs: 10_000 });
}

export interface NamespacedSshd {
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Serves a harness sshd (keys, login user, isolated home, cleanup marker) from inside the
 * server namespace: the same sshd_config, listening on the namespace's address instead of
 * 127.0.0.1. Sessions carry the harness marker, so `sshd.close()` still ends them.
 */
export async function serveSshdInNamespace(sshd: SshdHandle, topo: RoamingTopology): Promise<NamespacedSshd> {
  const sshdPath = toolPath('sshd');
  const base = readFileSync(`${sshd.dir}/sshd_config`, 'utf8');
  if (!base.includes('ListenAddress 127.0.0.1')) throw new Error('serveSshdInNamespace: unexpected harness sshd_config');
  const config = `${sshd.dir}/sshd_config.netns`;
  writeFileSync(config, base.replace('ListenAddress 127.0.0.1', `ListenAddress ${topo.serverAddress}`), { mode: 0o644 });
  const [cmd = 'ip', ...args] = topo.inServer([sshdPath, '-D', '-f', config, '-E', sshd.logPath]);
  // Output to the log file, not pipes: sshd's children would hold pipes open (see sshd.ts).
  const logFd = openSync(sshd.logPath, 'a');
  let proc: Running;
  try {
    proc = start(cmd, args, { outputFd: logFd });
  } finally {
    closeSync(logFd);
  }
  const listening = `Server listening on ${topo.serverAddress} port ${sshd.port}.`;
  await waitFor(() => sshd.logText().includes(listening) || (proc.child.exitCode !== null ? 'died' : false), {
    timeoutMs: SSHD_READY_TIMEOUT_MS,
    what: `sshd to listen on ${topo.serverAddress}:${sshd.port} in ${topo.serverNs}`,
    detail: () => sshd.logText(),
  }).then((state) => {
    if (state === 'died') throw new Error(`sshd in ${topo.serverNs} exited:\n${sshd.logText()}`);
  });
  return {
    host: topo.serverAddress,
    port: sshd.port,
    async stop() {
      proc.kill('SIGTERM');
      await proc.exited;
    },
  };
}
