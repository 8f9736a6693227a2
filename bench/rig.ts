// The shared bench rig: one real sshd, one fault proxy in front of it, an isolated client
// HOME, known_hosts files for both the direct port and the proxy's port, and a cleanup
// stack that closes everything (terminals, clients, proxy, sshd) even when a measurement
// throws, so a failed bench leaves no process behind.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { trySignal } from '../test/harness/process-tree.js';
import { startSshd, type SshdHandle } from '../test/harness/sshd.js';
import { startFaultProxy, type FaultProxy } from '../test/harness/fault-proxy.js';
import { makeTempDir, type TempDir } from '../test/harness/temp-dir.js';
import { clientArgs, isolatedClientEnv } from '../test/harness/ssh-client.js';
import { startTerminal, type Terminal, type TerminalOptions } from '../test/harness/terminal.js';
import { staysshCommandLine } from '../test/harness/stayssh-cli.js';

/** Where the client connects: straight to sshd, or through the fault proxy. */
export type Route = 'direct' | 'proxy';

export interface ClientOptions {
  route: Route;
  /** Extra -o settings. */
  options?: Record<string, string>;
  /** Raw arguments before the destination (e.g. ['-t'], ['--events', file]). */
  extra?: string[];
}

export class Rig {
  private readonly cleanups: { what: string; fn: () => Promise<void> | void }[] = [];

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

  /** A terminal (tmux pane) closed by rig.close() at the latest; close() it earlier yourself. */
  async terminal(opts: Omit<TerminalOptions, 'env'> & { env?: Record<string, string> }): Promise<Terminal> {
    const term = await startTerminal({ ...opts, env: { ...this.env, ...opts.env } });
    this.defer('terminal', () => term.close());
    return term;
  }

  /** stayssh argv (node + launcher + args + destination), without the command. */
  stayssh(o: ClientOptions): string[] {
    const args = clientArgs(this.sshd, {
      ...(o.route === 'proxy' ? { port: this.proxy.port, knownHostsFile: this.proxyKnownHosts } : {}),
      options: o.options,
      extra: o.extra,
    });
    return staysshCommandLine(args);
  }

  /** ssh argv (ssh + args + destination), without the command. */
  ssh(o: ClientOptions): string[] {
    // Through the proxy, clientArgs sets HostKeyAlias so the direct known_hosts still fits.
    return ['ssh', ...clientArgs(this.sshd, { ...(o.route === 'proxy' ? { port: this.proxy.port } : {}), options: o.options, extra: o.extra })];
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
