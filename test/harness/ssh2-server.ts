// In-process SSH server (ssh2): the embedded server of `stayssh --demo`
// (src/demo/embedded-server.ts) wrapped as a TestServer, with a generated client key and
// its children tracked for cleanup. harness-ssh2-server.test.ts checks it against ssh.
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { generateEd25519 } from '../../src/demo/ed25519-key.js';
import { startEmbeddedServer } from '../../src/demo/embedded-server.js';
import { LOOPBACK } from './free-port.js';
import { knownHostsEntry } from './keys.js';
import { TEST_LOGIN_PASSWORD } from './login-user.js';
import { trackPid, untrackPid } from './process-tree.js';
import { demand } from './requirements.js';
import type { TestServer } from './test-server.js';
import { makeTempDir } from './temp-dir.js';


export interface StartSsh2ServerOptions {
  /** Login name accepted (default: the current user's). Sessions always run as the current user. */
  user?: string;
  /** Password accepted for password and keyboard-interactive auth; null disables both. */
  password?: string | null;
  /** More OpenSSH public key lines to accept (the generated client key always is). */
  authorizedKeys?: string[];
  /** OpenSSH-format private host key (default: a fresh ed25519 one). */
  hostKey?: string;
  /** Port on 127.0.0.1 (default: one the kernel picks). */
  port?: number;
}

export interface Ssh2ServerHandle extends TestServer {
  readonly kind: 'ssh2';
  readonly dir: string;
  /** The host private key (OpenSSH format), to start another server with the same key. */
  readonly hostKeyPrivate: string;
  /** Connections accepted so far. */
  readonly connections: number;
}

export async function startSsh2Server(opts: StartSsh2ServerOptions = {}): Promise<Ssh2ServerHandle> {
  demand('script'); // the embedded server's sessions get their pty from util-linux script(1)
  const tmp = makeTempDir('ssh2');
  const client = generateEd25519('stayssh-test-client');
  const clientKeyPath = tmp.join('id_ed25519');
  writeFileSync(clientKeyPath, client.private, { mode: 0o600 });
  writeFileSync(`${clientKeyPath}.pub`, `${client.public}\n`);
  const user = opts.user ?? userInfo().username;
  const password = opts.password === undefined ? TEST_LOGIN_PASSWORD : opts.password;
  const server = await startEmbeddedServer({
    user,
    password,
    authorizedKeys: [client.public, ...(opts.authorizedKeys ?? [])],
    hostKey: opts.hostKey,
    port: opts.port,
    onSpawn: trackPid,
    onExit: untrackPid,
  });
  const { port, hostKeyPub } = server;
  const knownHostsPath = tmp.join('known_hosts');
  writeFileSync(knownHostsPath, `${knownHostsEntry(LOOPBACK, port, hostKeyPub)}\n`);
  let closed = false;
  return {
    kind: 'ssh2',
    host: LOOPBACK,
    port,
    user,
    password,
    clientKeyPath,
    hostKeyPub,
    hostKeyPrivate: server.hostKeyPrivate,
    knownHostsPath,
    dir: tmp.path,
    get connections() {
      return server.connections;
    },
    knownHostsLine: (alias = LOOPBACK, p = port) => knownHostsEntry(alias, p, hostKeyPub),
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
      tmp.close();
    },
  };
}
