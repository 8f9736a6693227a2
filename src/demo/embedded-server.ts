/**
 * An SSH server in this process (ssh2 Server) on 127.0.0.1, logging the CURRENT user in
 * by public key or password; sessions run in pty-session.ts. The engine of
 * `stayssh --demo`, and the tests' stand-in where no OpenSSH sshd is installed.
 */
import { timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { generateEd25519 } from './ed25519-key.js';
import ssh2 from '../transport/ssh2.js';
import type { AuthContext, Connection, ParsedKey } from 'ssh2';
import { handleSession, trySignal } from './pty-session.js';

const { Server, utils } = ssh2;

export interface EmbeddedServerOptions {
  /** The one login name accepted; sessions always run as the current user. */
  user: string;
  /** Password for password and keyboard-interactive auth; null disables both. */
  password: string | null;
  /** OpenSSH public key lines (or private keys: their public half) accepted. */
  authorizedKeys: string[];
  /** OpenSSH-format private host key (default: a fresh ed25519 one). */
  hostKey?: string;
  /** Port on 127.0.0.1 (default: one the kernel picks). */
  port?: number;
  /** Set in every session's environment, over what the client asks for (the demo's private tmux socket dir). */
  env?: Record<string, string>;
  onSpawn?: (pid: number) => void;
  onExit?: (pid: number) => void;
}

export interface EmbeddedServer {
  readonly host: string;
  readonly port: number;
  /** `type base64` of the host key. */
  readonly hostKeyPub: string;
  readonly hostKeyPrivate: string;
  readonly connections: number;
  /**
   * Kills the sessions' processes (SIGKILL), ends the connections, stops listening and
   * removes its files, all before it returns (so it may run on the way out of a signal
   * handler); the promise only waits for the listening socket to be closed.
   */
  close(): Promise<void>;
}

export const LOOPBACK = '127.0.0.1';

export function parseOneKey(key: string): ParsedKey {
  const parsed = utils.parseKey(key);
  if (parsed instanceof Error) throw new Error(`ssh2 cannot parse key: ${parsed.message}`);
  const first = Array.isArray(parsed) ? (parsed[0] as ParsedKey | undefined) : parsed;
  if (!first) throw new Error('ssh2 parsed no key');
  return first;
}

export async function startEmbeddedServer(o: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const ttyDir = mkdtempSync(join(tmpdir(), 'stayssh-embedded-'));
  const hostKeyPrivate = o.hostKey ?? generateEd25519().private;
  const parsedHost = parseOneKey(hostKeyPrivate);
  const hostKeyPub = `${parsedHost.type} ${parsedHost.getPublicSSH().toString('base64')}`;
  const allowed = o.authorizedKeys.map(parseOneKey);
  const live = new Set<Connection>();
  const children = new Set<ChildProcess>();
  let connections = 0;
  let sessionSeq = 0;

  const server = new Server({ hostKeys: [hostKeyPrivate] }, (conn, info) => {
    connections++;
    live.add(conn);
    // A client vanishing mid-handshake (a cut link) must not take the server down.
    conn.on('error', () => undefined);
    conn.on('close', () => live.delete(conn));
    conn.on('authentication', (ctx) => authenticate(ctx, { user: o.user, password: o.password, allowed }));
    conn.on('ready', () => {
      conn.on('session', (accept) => {
        handleSession(accept(), {
          ttyFile: join(ttyDir, `tty-${++sessionSeq}`),
          remote: info.ip,
          localPort: port,
          children,
          env: o.env,
          onSpawn: o.onSpawn,
          onExit: o.onExit,
        });
      });
    });
  });
  server.on('error', () => undefined);
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, LOOPBACK, () => {
      const address = server.address();
      resolve(address !== null && typeof address !== 'string' ? address.port : 0);
    });
  });

  let closed: Promise<void> | undefined;
  return {
    host: LOOPBACK,
    port,
    hostKeyPub,
    hostKeyPrivate,
    get connections() {
      return connections;
    },
    close() {
      if (closed) return closed;
      for (const child of children) if (child.pid) trySignal(child.pid, 'SIGKILL');
      for (const conn of live) conn.end();
      closed = new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(ttyDir, { recursive: true, force: true });
      return closed;
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
