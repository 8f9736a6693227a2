// The shared bench rig: one real sshd, one fault proxy in front of it, an isolated client
// HOME, known_hosts files for both the direct port and the proxy's port, and a cleanup
// stack that closes everything (terminals, clients, proxy, sshd) even when a measurement
// throws, so a failed bench leaves no process behind. On demand (slowLink()), a slow
// link in front of the fault proxy: bench/delay-proxy.ts in a process of its own.
import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { trySignal } from '../test/harness/process-tree.js';
import { startSshd, type SshdHandle } from '../test/harness/sshd.js';
import { startFaultProxy, type FaultProxy } from '../test/harness/fault-proxy.js';
import { makeTempDir, type TempDir } from '../test/harness/temp-dir.js';
import { clientArgs, isolatedClientEnv } from '../test/harness/ssh-client.js';
import { startTerminal, type Terminal, type TerminalOptions } from '../test/harness/terminal.js';
import { staysshCommandLine } from '../test/harness/stayssh-cli.js';
import { startDelayProxy, type DelayProxy } from './delay-proxy-child.js';

/**
 * Where the client connects: straight to sshd, through the fault proxy, or over the slow
 * link (delay proxy -> fault proxy -> sshd; rig.slowLink() first).
 */
export type Route = 'direct' | 'proxy' | 'slow';

/** The slow link's delay each way, ms: a 50 ms round trip, as to a server a continent away. */
export const SLOW_ONE_WAY_MS = 25;

export interface SlowLink {
  /** client -> here -> fault proxy -> sshd; its udpPort relays to moshServerPort. */
  delay: DelayProxy;
  /** known_hosts listing the host key under the delay proxy's port (for stayssh). */
  knownHosts: string;
  /** The UDP port a mosh-server on the server side is to listen on (mosh -p). */
  moshServerPort: number;
}

export interface ClientOptions {
  route: Route;
  /** Extra -o settings. */
  options?: Record<string, string>;
  /** Raw arguments before the destination (e.g. ['-t'], ['--events', file]). */
  extra?: string[];
}

export class Rig {
  private readonly cleanups: { what: string; fn: () => Promise<void> | void }[] = [];
  private slow: Promise<SlowLink> | undefined;
  private slowReady: SlowLink | undefined;

  private constructor(
    readonly sshd: SshdHandle,
    readonly proxy: FaultProxy,
    readonly tmp: TempDir,
    readonly env: Record<string, string>,
    /** known_hosts listing the host key under the proxy's port. */
    readonly proxyKnownHosts: string,
  ) {}

  static async start(): Promise<Rig> {
    const tmp = makeTempDir('bench');
    let sshd: SshdHandle | undefined;
    try {
      sshd = await startSshd();
      const proxy = await startFaultProxy({ port: sshd.port });
      const env = isolatedClientEnv(tmp.path) as Record<string, string>;
      const proxyKnownHosts = tmp.join('known_hosts_proxy');
      writeFileSync(proxyKnownHosts, `${sshd.knownHostsLine('127.0.0.1', proxy.port)}\n`);
      return new Rig(sshd, proxy, tmp, env, proxyKnownHosts);
    } catch (err) {
      await sshd?.close().catch(() => undefined);
      tmp.close();
      throw err;
    }
  }

  /** Registers a cleanup; run in reverse order by close() or by the returned function. */
  defer(what: string, fn: () => Promise<void> | void): () => Promise<void> {
    const entry = { what, fn };
    this.cleanups.push(entry);
    return async () => {
      const i = this.cleanups.indexOf(entry);
      if (i < 0) return;
      this.cleanups.splice(i, 1);
      await fn();
    };
  }

  /** Starts the slow link once (route 'slow'); closed by rig.close(). */
  slowLink(): Promise<SlowLink> {
    this.slow ??= (async () => {
      const moshServerPort = await freeUdpPort();
      const delay = await startDelayProxy({ upstreamPort: this.proxy.port, udpUpstreamPort: moshServerPort, oneWayMs: SLOW_ONE_WAY_MS });
      this.defer('delay proxy', () => delay.close());
      const knownHosts = this.tmp.join('known_hosts_slow');
      writeFileSync(knownHosts, `${this.sshd.knownHostsLine('127.0.0.1', delay.port)}\n`);
      this.slowReady = { delay, knownHosts, moshServerPort };
      return this.slowReady;
    })();
    return this.slow;
  }

  /** The port and known_hosts a route dials (ssh uses HostKeyAlias instead of the file). */
  private routeTo(route: Route): { port: number; knownHostsFile: string } | undefined {
    if (route === 'direct') return undefined;
    if (route === 'proxy') return { port: this.proxy.port, knownHostsFile: this.proxyKnownHosts };
    if (!this.slowReady) throw new Error("route 'slow': await rig.slowLink() first");
    return { port: this.slowReady.delay.port, knownHostsFile: this.slowReady.knownHosts };
  }

  /** A terminal (tmux pane) closed by rig.close() at the latest; close() it earlier yourself. */
  async terminal(opts: Omit<TerminalOptions, 'env'> & { env?: Record<string, string> }): Promise<Terminal> {
    const term = await startTerminal({ ...opts, env: { ...this.env, ...opts.env } });
    this.defer('terminal', () => term.close());
    return term;
  }

  /** stayssh argv (node + launcher + args + destination), without the command. */
  stayssh(o: ClientOptions): string[] {
    return staysshCommandLine(clientArgs(this.sshd, { ...this.routeTo(o.route), options: o.options, extra: o.extra }));
  }

  /** ssh argv (ssh + args + destination), without the command. */
  ssh(o: ClientOptions): string[] {
    // Through a proxy, clientArgs sets HostKeyAlias so the direct known_hosts still fits.
    const port = this.routeTo(o.route)?.port;
    return ['ssh', ...clientArgs(this.sshd, { ...(port === undefined ? {} : { port }), options: o.options, extra: o.extra })];
  }

  async close(): Promise<void> {
    const errors: string[] = [];
    while (this.cleanups.length > 0) {
      const entry = this.cleanups.pop();
      if (!entry) break;
      try {
        await entry.fn();
      } catch (err) {
        errors.push(`${entry.what}: ${(err as Error).message}`);
      }
    }
    // Anything started but not yet registered (a signal mid-start) still names our files.
    killByCommandLine([this.tmp.path, this.sshd.dir]);
    for (const step of [() => this.proxy.close(), () => this.sshd.close()]) {
      try {
        await step();
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    this.tmp.close();
    if (errors.length > 0) process.stderr.write(`bench: cleanup problems:\n  ${errors.join('\n  ')}\n`);
  }
}

/** A UDP port on 127.0.0.1 free a moment ago (the kernel's pick, released). */
function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** SIGKILLs every process (but this one) whose command line mentions one of `needles`. */
export function killByCommandLine(needles: readonly string[]): void {
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    if (needles.some((n) => cmdline.includes(n))) trySignal(pid, 'SIGKILL');
  }
}

/** Quotes one word for /bin/sh. */
export function shq(word: string): string {
  return /^[A-Za-z0-9_\-+=.,/:@%]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shellLine(argv: readonly string[]): string {
  return argv.map(shq).join(' ');
}
