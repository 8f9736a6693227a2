// An SSH server that asks keyboard-interactive questions the way a 2FA PAM stack does:
// `Password:` and, when `otp` is set, `Verification code:` — a fresh code every login.
// Failures list keyboard-interactive as still allowed (as OpenSSH does), so a client may
// try again. Sessions run like the embedded server's (src/demo/pty-session.ts), as the
// current user. In-process and mutable: a test changes the password mid-session.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { Connection } from 'ssh2';
import { generateEd25519 } from '../../src/demo/ed25519-key.js';
import { handleSession } from '../../src/demo/pty-session.js';
import { LOOPBACK } from './free-port.js';
import { knownHostsEntry } from './keys.js';
import { trackPid, untrackPid } from './process-tree.js';
import { demand } from './requirements.js';

const { Server } = ssh2;

export interface OtpServer {
  readonly port: number;
  readonly user: string;
  /** The password accepted from now on. */
  password: string;
  /** The one-time code the next login must give; undefined: no second question. */
  otp: string | undefined;
  /** Questions asked so far, by prompt text. */
  readonly asked: Map<string, number>;
  knownHostsLine(alias: string, port: number): string;
  close(): Promise<void>;
}

export const PASSWORD_QUESTION = 'Password: ';
export const OTP_QUESTION = 'Verification code: ';

export async function startOtpServer(opts: { password: string; otp?: string }): Promise<OtpServer> {
  demand('script'); // pty-session.ts gives a session its pty with util-linux script(1)
  const ttyDir = mkdtempSync(join(tmpdir(), 'stayssh-otp-'));
  const host = generateEd25519();
  const hostKeyPub = host.public.split(/\s+/).slice(0, 2).join(' ');
  const user = userInfo().username;
  const live = new Set<Connection>();
  const children = new Set<ChildProcess>();
  let seq = 0;
  const state = { password: opts.password, otp: opts.otp, asked: new Map<string, number>() };
  const server = new Server({ hostKeys: [host.private] }, (conn, info) => {
    live.add(conn);
    conn.on('error', () => undefined);
    conn.on('close', () => live.delete(conn));
    conn.on('authentication', (ctx) => {
      if (ctx.username !== user || ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive']);
      const questions = [{ prompt: PASSWORD_QUESTION, echo: false }, ...(state.otp !== undefined ? [{ prompt: OTP_QUESTION, echo: false }] : [])];
      for (const q of questions) state.asked.set(q.prompt, (state.asked.get(q.prompt) ?? 0) + 1);
      ctx.prompt(questions, (answers) => {
        const ok = answers[0] === state.password && (state.otp === undefined || answers[1] === state.otp);
        if (ok) ctx.accept();
        else ctx.reject(['keyboard-interactive']);
      });
    });
    conn.on('ready', () => {
      conn.on('session', (accept) => {
        handleSession(accept(), { ttyFile: join(ttyDir, `tty-${++seq}`), remote: info.ip, localPort: port, children, onSpawn: trackPid, onExit: untrackPid });
      });
    });
  });
  server.on('error', () => undefined);
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const a = server.address();
      resolve(a !== null && typeof a !== 'string' ? a.port : 0);
    });
  });
  return Object.assign(state, {
    port,
    user,
    knownHostsLine: (alias: string, p: number) => knownHostsEntry(alias, p, hostKeyPub),
    async close() {
      for (const child of children) if (child.pid) process.kill(child.pid, 'SIGKILL');
      for (const conn of live) conn.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(ttyDir, { recursive: true, force: true });
    },
  });
}
