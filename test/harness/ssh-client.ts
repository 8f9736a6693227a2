// Arguments and environment for a client (the system OpenSSH `ssh`, or stayssh, which
// takes the same command line) against a harness server, so tests and benchmarks can
// compare stayssh with plain ssh under identical conditions, with nothing read from the
// machine's ~/.ssh, /etc/ssh/ssh_config or an agent.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestServer } from './test-server.js';

export interface ClientArgsOptions {
  /** Default: the server's knownHostsPath (host key as first served). */
  knownHostsFile?: string;
  /** Default 'yes': an unknown or changed key fails the connection. */
  strictHostKeyChecking?: 'yes' | 'no' | 'accept-new' | 'ask';
  /** Identity file; default the server's clientKeyPath; null for none (password tests). */
  identity?: string | null;
  /** Default true: never prompt on a terminal (askpass still works with SSH_ASKPASS_REQUIRE=force). */
  batchMode?: boolean;
  /**
   * Port to dial instead of the server's (e.g. a fault proxy's). Unless knownHostsFile is
   * given, the host key is then still looked up as the server's own (HostKeyAlias
   * "[127.0.0.1]:serverPort"), so the server's known_hosts file stays valid through the
   * proxy. A caller that passes its own known_hosts names the entries it wants itself.
   */
  port?: number;
  /** Extra `-o Key=Value` settings, e.g. { ServerAliveInterval: '1' }. */
  options?: Record<string, string>;
  /** Extra raw arguments placed before the destination (e.g. ['-t']). */
  extra?: string[];
}

/**
 * The argv (without the command) that points an OpenSSH-style client at `server`:
 * `ssh ARGS` and `stayssh ARGS` alike, since stayssh takes ssh's command line. That is
 * `-F /dev/null -o UserKnownHostsFile=... -o StrictHostKeyChecking=... -i key -p port
 * user@127.0.0.1`: nothing read from the machine's ~/.ssh or /etc/ssh/ssh_config, no
 * agent key, no connection sharing, so a test or a benchmark compares the two clients
 * under identical conditions. stayssh accepts the OpenSSH-only settings and ignores them.
 */
export function clientArgs(server: TestServer, opts: ClientArgsOptions = {}): string[] {
  const otherPort = opts.port !== undefined && opts.port !== server.port;
  const options: Record<string, string> = {
    UserKnownHostsFile: opts.knownHostsFile ?? server.knownHostsPath,
    GlobalKnownHostsFile: '/dev/null',
    StrictHostKeyChecking: opts.strictHostKeyChecking ?? 'yes',
    // Never rewrite known_hosts behind the test's back (hostkeys-00@openssh.com).
    UpdateHostKeys: 'no',
    BatchMode: opts.batchMode === false ? 'no' : 'yes',
    IdentitiesOnly: 'yes',
    ControlMaster: 'no',
    ControlPath: 'none',
    // A wrong port must fail a test in seconds, not after the kernel's minutes.
    ConnectTimeout: '10',
    ...(opts.identity === null ? { PubkeyAuthentication: 'no' } : {}),
    ...(otherPort && opts.knownHostsFile === undefined ? { HostKeyAlias: `[${server.host}]:${server.port}` } : {}),
    ...opts.options,
  };
  const identity = opts.identity === undefined ? server.clientKeyPath : opts.identity;
  return [
    '-F', '/dev/null',
    ...Object.entries(options).flatMap(([k, v]) => ['-o', `${k}=${v}`]),
    ...(identity === null ? [] : ['-i', identity]),
    '-p', String(opts.port ?? server.port),
    ...(opts.extra ?? []),
    `${server.user}@${server.host}`,
  ];
}

/**
 * A clean client environment: HOME in `dir` (created), no agent, no inherited TMUX, so a
 * client under test reads no real user's files. `extra` wins.
 */
export function isolatedClientEnv(dir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const home = join(dir, 'client-home');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    USER: process.env.USER ?? 'root',
    LANG: 'C.UTF-8',
    TERM: process.env.TERM ?? 'xterm-256color',
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    ...extra,
  };
}

/**
 * Writes an askpass program into `dir` answering every prompt with `secret`, and returns
 * the variables that make ssh use it even with a terminal or without DISPLAY
 * (SSH_ASKPASS_REQUIRE=force, OpenSSH >= 8.4). The secret travels in the environment,
 * not in the script, so a leaked file shows nothing.
 */
export function askpassEnv(dir: string, secret: string): Record<string, string> {
  const path = join(dir, 'askpass.sh');
  writeFileSync(path, '#!/bin/sh\nprintf \'%s\\n\' "$STAYSSH_TEST_ASKPASS_SECRET"\n', { mode: 0o700 });
  return { SSH_ASKPASS: path, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0', STAYSSH_TEST_ASKPASS_SECRET: secret };
}
