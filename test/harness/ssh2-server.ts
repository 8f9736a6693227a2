// In-process SSH server (ssh2) for machines without OpenSSH's sshd, and the engine of
// `stayssh --demo`. It logs in as the CURRENT user (whatever name the client sends must
// match `user`), by an authorized public key, a password, or keyboard-interactive with
// that password; sessions run in ssh2-session.ts. Host key generated at start.
import { timingSafeEqual } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { ChildProcess } from 'node:child_process';
import ssh2 from 'ssh2';
import type { AuthContext, Connection, ParsedKey } from 'ssh2';
import { LOOPBACK } from './free-port.js';
import { knownHostsEntry } from './keys.js';
import { TEST_LOGIN_PASSWORD } from './login-user.js';
import { trySignal } from './process-tree.js';
import { handleSession } from './ssh2-session.js';
import type { TestServer } from './test-server.js';
import { makeTempDir } from './temp-dir.js';

const { Server, utils } = ssh2;

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
  const tmp = makeTempDir('ssh2');
  const hostKeyPrivate = opts.hostKey ?? utils.generateKeyPairSync('ed25519').private;
  const parsedHost = parseOne(hostKeyPrivate);
  const hostKeyPub = `${parsedHost.type} ${parsedHost.getPublicSSH().toString('base64')}`;
  const client = utils.generateKeyPairSync('ed25519', { comment: 'stayssh-test-client' });
  const clientKeyPath = tmp.join('id_ed25519');
  writeFileSync(clientKeyPath, client.private, { mode: 0o600 });
  writeFileSync(`${clientKeyPath}.pub`, `${client.public}\n`);
  const allowed = [client.public, ...(opts.authorizedKeys ?? [])].map(parseOne);
  const user = opts.user ?? userInfo().username;
  const password = opts.password === undefined ? TEST_LOGIN_PASSWORD : opts.password;
  const live = new Set<Connection>();
  const children = new Set<ChildProcess>();
  let connections = 0;
  let sessionSeq = 0;

  const server = new Server({ hostKeys: [hostKeyPrivate] }, (conn, info) => {
    connections++;
    live.add(conn);
    // A client vanishing mid-handshake (fault proxy reset) must not crash the test process.
    conn.on('error', () => undefined);
    conn.on('close', () => live.delete(conn));
    conn.on('authentication', (ctx) => authenticate(ctx, { user, password, allowed }));
    conn.on('ready', () => {
      conn.on('session', (accept) => {
        handleSession(accept(), {
          ttyFile: tmp.join(`tty-${++sessionSeq}`),
          remote: info.ip,
          localPort: port,
          children,
        });
      });
    });
  });
  server.on('error', () => undefined);
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, LOOPBACK, () => {
      const address = server.address();
      resolve(address !== null && typeof address !== 'string' ? address.port : 0);
    });
  });
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
    hostKeyPrivate,
    knownHostsPath,
    dir: tmp.path,
    get connections() {
      return connections;
    },
    knownHostsLine: (alias = LOOPBACK, p = port) => knownHostsEntry(alias, p, hostKeyPub),
    async close() {
      if (closed) return;
      closed = true;
      for (const child of children) if (child.pid) trySignal(child.pid, 'SIGKILL');
      for (const conn of live) conn.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      tmp.close();
    },
  };
}

function authenticate(ctx: AuthContext, o: { user: string; password: string | null; allowed: ParsedKey[] }): void {
  if (ctx.username !== o.user) return ctx.reject();
  switch (ctx.method) {
    case 'publickey': {
      const key = o.allowed.find((k) => k.type === ctx.key.algo && k.getPublicSSH().equals(ctx.key.data));
      if (!key) return ctx.reject();
      // No signature yet: the client only asks whether this key would do.
      if (!ctx.signature || !ctx.blob) return ctx.accept();
      return key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) ? ctx.accept() : ctx.reject();
    }
    case 'password':
      return o.password !== null && same(ctx.password, o.password) ? ctx.accept() : ctx.reject();
    case 'keyboard-interactive':
      if (o.password === null) return ctx.reject();
      return ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => {
        if (answers[0] !== undefined && same(answers[0], o.password ?? '')) ctx.accept();
        else ctx.reject();
      });
    default:
      return ctx.reject(['publickey', ...(o.password === null ? [] : (['password', 'keyboard-interactive'] as const))]);
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function parseOne(key: string): ParsedKey {
  const parsed = utils.parseKey(key);
  if (parsed instanceof Error) throw new Error(`ssh2 cannot parse key: ${parsed.message}`);
  const first = Array.isArray(parsed) ? (parsed[0] as ParsedKey | undefined) : parsed;
  if (!first) throw new Error('ssh2 parsed no key');
  return first;
}
