// The fixture most session tests share: a real sshd, a fault proxy in front of it, an
// isolated client HOME, a known_hosts naming the key under the proxy's port, and the
// terminals a test opened — all closed in one call.
import { writeFileSync } from 'node:fs';
import { startSshd, type SshdHandle, type StartSshdOptions } from './sshd.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { makeTempDir, type TempDir } from './temp-dir.js';
import { clientArgs, type ClientArgsOptions, isolatedClientEnv } from './ssh-client.js';
import { startTerminal, type Terminal } from './terminal.js';
import { staysshCommandLine } from './stayssh-cli.js';

export interface ProxiedSshd {
  sshd: SshdHandle;
  proxy: FaultProxy;
  tmp: TempDir;
  /** Client environment with its own HOME (no agent, no TMUX). */
  env: Record<string, string>;
  /** known_hosts with the server's key under [127.0.0.1]:proxy.port. */
  knownHosts: string;
  /** Terminals to close with the fixture. */
  terminals: Terminal[];
  /** clientArgs() (without a command) for the server through the proxy: stayssh's, or ssh's. */
  clientArgs(opts?: Omit<ClientArgsOptions, 'port' | 'knownHostsFile'>): string[];
  /** stayssh with those arguments in a new terminal, closed with the fixture. */
  openStayssh(args: readonly string[], clientEnv?: Record<string, string>): Promise<Terminal>;
  close(): Promise<void>;
}

export async function startProxiedSshd(name: string, opts: StartSshdOptions = {}): Promise<ProxiedSshd> {
  const sshd = await startSshd(opts);
  const proxy = await startFaultProxy({ port: sshd.port });
  const tmp = makeTempDir(name);
  const env = isolatedClientEnv(tmp.path) as Record<string, string>;
  const knownHosts = tmp.join('known_hosts');
  writeFileSync(knownHosts, `${sshd.knownHostsLine('127.0.0.1', proxy.port)}\n`);
  const terminals: Terminal[] = [];
  return {
    sshd,
    proxy,
    tmp,
    env,
    knownHosts,
    terminals,
    clientArgs: (o = {}) => clientArgs(sshd, { ...o, port: proxy.port, knownHostsFile: knownHosts }),
    async openStayssh(args, clientEnv = env) {
      const term = await startTerminal({ command: staysshCommandLine(args), env: clientEnv });
      terminals.push(term);
      return term;
    },
    async close() {
      for (const t of terminals) await t.close();
      await proxy.close();
      await sshd.close();
      tmp.close();
    },
  };
}
