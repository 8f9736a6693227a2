// One SSH "session" channel of the embedded ssh2 server (the engine of `stayssh --demo`
// and the tests' fallback when no sshd is installed): pty, env, exec/shell,
// window-change, signals, exit status, run as the CURRENT user.
//
// Without node-pty there is no pty in Node, so pty sessions go through util-linux
// `script -qfec CMD /dev/null`, which runs CMD on a fresh pty and relays it over pipes.
// Limits (documented, fine for tests and --demo):
//   - The pty size is set with stty inside the pty at start, and window-change runs
//     `stty -F <that tty> cols C rows R` (the kernel then sends SIGWINCH); a resize that
//     arrives in the first milliseconds, before the tty name is known, is applied late.
//   - Signals reach `script` (pty) or the shell (no pty), not necessarily the command.
//   - Terminal modes from the pty request are ignored (the pty starts with Linux defaults);
//     ssh2's server drops the first mode of a request anyway (docs/LESSONS.md).
import { FALLBACK_SIZE } from '../contracts/terminal-port.js';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { PseudoTtyInfo, ServerChannel, Session } from 'ssh2';

/** A resize waits at most this long for stty, ms: it is a local fork, but never hang on it. */
const STTY_TIMEOUT_MS = 5_000;

export function trySignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Variables never passed from the test process to remote commands. */
const SCRUBBED_ENV = /^(TMUX|TMUX_PANE|SSH_AUTH_SOCK|SSH_CONNECTION|SSH_CLIENT|SSH_TTY|STY|WINDOW)$/;

export interface SessionContext {
  /** Per-session file where the pty wrapper writes its tty name. */
  ttyFile: string;
  /** Client address, for SSH_CONNECTION. */
  remote: string;
  localPort: number;
  /** Children of this connection, so the server can kill them all on close. */
  children: Set<ChildProcess>;
  /** Set in the session's environment, over the client's `env` requests. */
  env?: Record<string, string>;
  /** Told of every child started and ended (the test harness tracks them for cleanup). */
  onSpawn?: (pid: number) => void;
  onExit?: (pid: number) => void;
}

export function handleSession(session: Session, ctx: SessionContext): void {
  const env: Record<string, string> = {};
  let pty: PseudoTtyInfo | undefined;
  let size: { cols: number; rows: number } | undefined;
  let child: ChildProcess | undefined;

  session.on('pty', (accept, _reject, info) => {
    pty = info;
    size = { cols: info.cols, rows: info.rows };
    accept?.();
  });
  session.on('env', (accept, _reject, info) => {
    env[info.key] = info.val;
    accept?.();
  });
  session.on('window-change', (accept, _reject, info) => {
    size = { cols: info.cols, rows: info.rows };
    accept?.();
    if (pty) void applySize(ctx.ttyFile, size);
  });
  session.on('signal', (accept, _reject, info) => {
    accept?.();
    const name = (info.name.startsWith('SIG') ? info.name : `SIG${info.name}`) as NodeJS.Signals;
    if (child?.pid) trySignal(child.pid, name);
  });
  session.on('auth-agent', (_accept, reject) => reject?.());
  session.on('x11', (_accept, reject) => reject?.());
  session.on('subsystem', (_accept, reject) => reject?.());
  session.on('sftp', (_accept, reject) => reject?.());
  const begin = (command: string | null) => (accept: () => ServerChannel) => {
    const channel = accept();
    child = startChild(channel, command, { env, pty, size, ctx });
  };
  session.on('exec', (accept, _reject, info) => begin(info.command)(accept));
  session.on('shell', (accept) => begin(null)(accept));
}

function startChild(
  channel: ServerChannel,
  command: string | null,
  o: { env: Record<string, string>; pty?: PseudoTtyInfo; size?: { cols: number; rows: number }; ctx: SessionContext },
): ChildProcess {
  const me = userInfo();
  const shell = me.shell || '/bin/sh';
  const base = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !SCRUBBED_ENV.test(k))) as Record<string, string>;
  const env: Record<string, string> = {
    ...base,
    HOME: me.homedir,
    USER: me.username,
    LOGNAME: me.username,
    SHELL: shell,
    SSH_CONNECTION: `${o.ctx.remote} 0 127.0.0.1 ${o.ctx.localPort}`,
    ...o.env,
    ...o.ctx.env,
  };
  let argv: string[];
  if (o.pty) {
    env.TERM = o.pty.term || 'vt100';
    env.STAYSSH_SSH2_CMD = command ?? '';
    env.STAYSSH_SSH2_TTYFILE = o.ctx.ttyFile;
    const cols = o.size?.cols || FALLBACK_SIZE.cols;
    const rows = o.size?.rows || FALLBACK_SIZE.rows;
    // Inside the new pty: size it, publish its name for window-change, then run the
    // command (or a login shell) the way sshd would: `$SHELL -c cmd`.
    const wrapper =
      `stty cols ${cols} rows ${rows} 2>/dev/null; tty > "$STAYSSH_SSH2_TTYFILE"; ` +
      'c=$STAYSSH_SSH2_CMD; unset STAYSSH_SSH2_CMD STAYSSH_SSH2_TTYFILE; ' +
      (command === null ? 'exec "$SHELL" -l' : 'exec "$SHELL" -c "$c"');
    argv = ['script', '-qfec', wrapper, '/dev/null'];
  } else {
    argv = command === null ? [shell, '-l'] : [shell, '-c', command];
  }
  const child = spawn(argv[0] as string, argv.slice(1), { env, cwd: me.homedir, stdio: ['pipe', 'pipe', 'pipe'] });
  o.ctx.children.add(child);
  if (child.pid) o.ctx.onSpawn?.(child.pid);
  child.stdin?.on('error', () => undefined); // EPIPE when the command exits first.
  channel.on('error', () => undefined);
  child.stdout?.pipe(channel, { end: false });
  child.stderr?.pipe(channel.stderr, { end: false });
  channel.on('data', (data: Buffer) => child.stdin?.write(data));
  // The client's EOF ends a plain command's stdin. Not a pty's: util-linux `script` turns
  // the end of its stdin into the terminal's EOF character, which a shell at its prompt
  // reads as Ctrl-D and exits on, and ssh2 emits 'end' when a link is reset, so every
  // reset of --demo ended an idle shell. sshd sends nothing to a pty; the close below
  // hangs it up, as sshd does.
  channel.on('end', () => {
    if (!o.pty) child.stdin?.end();
  });
  // Client closed the channel: the command loses its terminal, as with sshd.
  channel.on('close', () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) trySignal(child.pid, 'SIGHUP');
  });
  child.on('error', (err) => {
    channel.stderr.write(`stayssh embedded server: cannot run ${argv[0]}: ${err.message}\n`);
  });
  // 'close' (not 'exit'): all output has been read, so exit-status follows the last byte.
  child.on('close', (code, signal) => {
    o.ctx.children.delete(child);
    if (child.pid) o.ctx.onExit?.(child.pid);
    if (channel.destroyed) return;
    // ssh2 sends exit-status at once but queues data behind the peer's window: wait until
    // the queued output is out so the status really follows the last byte.
    void drained(channel).then(() => {
      if (channel.destroyed) return;
      if (signal) channel.exit(signal.replace(/^SIG/, ''), false, '');
      else channel.exit(code ?? 255);
      channel.end();
    });
  });
  return child;
}

async function drained(channel: ServerChannel): Promise<void> {
  for (const stream of [channel, channel.stderr]) {
    while (stream.writableLength > 0 && !channel.destroyed) {
      await new Promise<void>((resolve) => {
        stream.once('drain', resolve);
        channel.once('close', resolve);
      });
    }
  }
}

async function applySize(ttyFile: string, size: { cols: number; rows: number }): Promise<void> {
  let tty: string;
  try {
    tty = readFileSync(ttyFile, 'utf8').trim();
  } catch {
    return; // Not started yet: the start-up size wins (see limits above).
  }
  if (!tty.startsWith('/dev/')) return;
  await new Promise<void>((resolve) => {
    execFile('stty', ['-F', tty, 'cols', String(size.cols), 'rows', String(size.rows)], { timeout: STTY_TIMEOUT_MS }, () => resolve());
  });
}
