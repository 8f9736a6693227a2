// A real terminal for end-to-end tests: the command runs in a pane of a PRIVATE tmux
// server (own socket via -S, no config via -f /dev/null), which we drive like a person:
// type, press keys, resize, read the screen. It never touches the `tmux -L stayssh`
// server that stayssh uses on the remote side (different socket, usually another user).
import { run, type RunResult } from './run.js';
import { isAlive, trackPid, trySignal, untrackPid } from './process-tree.js';
import { makeTempDir, type TempDir } from './temp-dir.js';
import { waitFor } from './wait-for.js';

/** Default wait for text on screen (ms): covers an ssh login on a loaded CI machine. */
const DEFAULT_TEXT_TIMEOUT_MS = 10_000;
/** Default wait for the command to exit (ms). */
const DEFAULT_EXIT_TIMEOUT_MS = 10_000;
/** Screen polling period (ms): one capture-pane costs ~3 ms; keep CPU for the test subject. */
const SCREEN_POLL_MS = 50;
/** Lines of scrollback kept by the private tmux, enough for long test transcripts. */
const HISTORY_LIMIT_LINES = 10_000;
const SESSION = 'harness';

export interface TerminalOptions {
  /** argv to run, or a string for `/bin/sh -c`. */
  command: string[] | string;
  /** Default 100 columns. */
  cols?: number;
  /** Default 30 rows. */
  rows?: number;
  /** Added to a minimal base environment (PATH, HOME, USER, LANG=C.UTF-8). TERM is xterm-256color. */
  env?: Record<string, string>;
  cwd?: string;
}

export interface ScreenOptions {
  /** Join wrapped lines (capture-pane -J). */
  join?: boolean;
  /** Include scrollback: true for all of it, a number for that many lines. */
  scrollback?: boolean | number;
}

export interface ExitStatus {
  /** Exit code, null when killed by a signal. */
  code: number | null;
  /** Signal number, null when it exited normally. */
  signal: number | null;
}

export interface Terminal {
  /** The private tmux server's socket (for ad-hoc `tmux -S` commands). */
  readonly socketPath: string;
  type(text: string): Promise<void>;
  /** tmux key names: 'Enter', 'C-c', 'Escape', 'Up', 'BSpace', ... */
  press(...keys: string[]): Promise<void>;
  resize(cols: number, rows: number): Promise<void>;
  /** The visible screen (or more), one line per row; tmux trims trailing spaces ("$ " reads "$"). */
  screen(opts?: ScreenOptions): Promise<string>;
  /** Resolves with the screen once it contains `pattern`; throws with the screen otherwise. */
  waitForText(pattern: string | RegExp, opts?: ScreenOptions & { timeoutMs?: number }): Promise<string>;
  waitForExit(opts?: { timeoutMs?: number }): Promise<ExitStatus>;
  /** The window title the program last set (OSC 0/2). */
  title(): Promise<string>;
  /** pid of the command in the pane. */
  pid(): Promise<number>;
  /** Closes the terminal like closing the window (the command gets SIGHUP). */
  kill(): Promise<void>;
  /** kill() plus removal of every resource; safe to call twice. */
  close(): Promise<void>;
}

export async function startTerminal(opts: TerminalOptions): Promise<Terminal> {
  const term = new TmuxTerminal(makeTempDir('term'), opts);
  try {
    await term.start();
    return term;
  } catch (err) {
    await term.close();
    throw err;
  }
}

class TmuxTerminal implements Terminal {
  readonly socketPath: string;
  private readonly env: NodeJS.ProcessEnv;
  private serverPid = 0;
  private panePid = 0;
  private closed = false;

  constructor(
    private readonly tmp: TempDir,
    private readonly opts: TerminalOptions,
  ) {
    this.socketPath = tmp.join('tmux.sock');
    // The server inherits this environment and gives it to the pane; no TMUX from an
    // outer tmux (the test may itself run inside one).
    this.env = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: process.env.HOME ?? '/',
      USER: process.env.USER ?? 'root',
      LANG: 'C.UTF-8',
      ...opts.env,
    };
  }

  async start(): Promise<void> {
    const argv = typeof this.opts.command === 'string' ? ['/bin/sh', '-c', this.opts.command] : this.opts.command;
    const cols = String(this.opts.cols ?? 100);
    const rows = String(this.opts.rows ?? 30);
    // A placeholder `cat` holds the pane while options are set, then respawn-pane starts the
    // real command: remain-on-exit and TERM are in force before it can possibly exit.
    await this.tmux(
      'new-session', '-d', '-s', SESSION, '-x', cols, '-y', rows, 'cat', ';',
      'set-option', '-g', 'remain-on-exit', 'on', ';',
      'set-option', '-g', 'default-terminal', 'xterm-256color', ';',
      'set-option', '-g', 'history-limit', String(HISTORY_LIMIT_LINES), ';',
      'set-option', '-g', 'status', 'off', ';',
      'respawn-pane', '-k', '-t', SESSION, ...(this.opts.cwd ? ['-c', this.opts.cwd] : []), '--', ...argv,
    );
    const [server, pane] = (await this.format('#{pid} #{pane_pid}')).split(' ').map(Number);
    this.serverPid = server ?? 0;
    this.panePid = pane ?? 0;
    if (this.serverPid) trackPid(this.serverPid);
    if (this.panePid) trackPid(this.panePid);
  }

  async type(text: string): Promise<void> {
    if (text.length > 0) await this.tmux('send-keys', '-t', SESSION, '-l', '--', text);
  }

  async press(...keys: string[]): Promise<void> {
    if (keys.length > 0) await this.tmux('send-keys', '-t', SESSION, ...keys);
  }

  async resize(cols: number, rows: number): Promise<void> {
    await this.tmux('resize-window', '-t', SESSION, '-x', String(cols), '-y', String(rows));
  }

  async screen(opts: ScreenOptions = {}): Promise<string> {
    const args = ['capture-pane', '-p', '-t', SESSION];
    if (opts.join) args.push('-J');
    if (opts.scrollback === true) args.push('-S', '-');
    else if (typeof opts.scrollback === 'number') args.push('-S', String(-opts.scrollback));
    return (await this.tmux(...args)).stdout;
  }

  async waitForText(pattern: string | RegExp, opts: ScreenOptions & { timeoutMs?: number } = {}): Promise<string> {
    let last = '';
    return waitFor(
      async () => {
        last = await this.screen(opts);
        return (typeof pattern === 'string' ? last.includes(pattern) : pattern.test(last)) ? last : false;
      },
      {
        timeoutMs: opts.timeoutMs ?? DEFAULT_TEXT_TIMEOUT_MS,
        intervalMs: SCREEN_POLL_MS,
        what: `${String(pattern)} on the terminal`,
        detail: () => `screen was:\n${last}`,
      },
    );
  }

  async waitForExit(opts: { timeoutMs?: number } = {}): Promise<ExitStatus> {
    return waitFor(
      async () => {
        const [dead, status, signal] = (await this.format('#{pane_dead} #{pane_dead_status} #{pane_dead_signal}')).split(' ');
        const asNumber = (s: string | undefined) => (s === undefined || s === '' ? null : Number(s));
        const code = asNumber(status);
        const sig = asNumber(signal);
        if (dead !== '1') return false;
        if (code === null && sig === null) {
          // tmux marks the pane dead at pty EOF; the status comes when it reaps the child.
          // tmux 3.3a sometimes misses that SIGCHLD (~15% here) and leaves a zombie for
          // good; a spare SIGCHLD makes it waitpid() again. Harmless when not needed.
          if (this.serverPid) trySignal(this.serverPid, 'SIGCHLD');
          return false;
        }
        return { code, signal: sig };
      },
      {
        timeoutMs: opts.timeoutMs ?? DEFAULT_EXIT_TIMEOUT_MS,
        intervalMs: SCREEN_POLL_MS,
        what: 'the command in the terminal to exit',
        detail: async () => `screen was:\n${await this.screen().catch(() => '(tmux gone)')}`,
      },
    );
  }

  /** The title the program set (OSC 0/2): a sequence that reached this terminal. */
  async title(): Promise<string> {
    return this.format('#{pane_title}');
  }

  async pid(): Promise<number> {
    return Number(await this.format('#{pane_pid}'));
  }

  async kill(): Promise<void> {
    if (this.serverPid === 0 || !isAlive(this.serverPid)) return;
    await run('tmux', ['-S', this.socketPath, 'kill-server'], { env: this.env, timeoutMs: 5_000 }).catch(() => undefined);
    await waitFor(() => !isAlive(this.serverPid), { timeoutMs: 5_000, what: 'the private tmux server to exit' }).catch(() =>
      trySignal(this.serverPid, 'SIGKILL'),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.kill();
    // A command that ignores SIGHUP would outlive its window; tests must not leak it.
    for (const pid of [this.panePid, this.serverPid]) {
      if (pid === 0) continue;
      trySignal(pid, 'SIGKILL');
      untrackPid(pid);
    }
    this.tmp.close();
  }

  private async format(fmt: string): Promise<string> {
    return (await this.tmux('display-message', '-p', '-t', SESSION, fmt)).stdout.trim();
  }

  private async tmux(...args: string[]): Promise<RunResult> {
    // -u: UTF-8 regardless of the locale the test runs under.
    const result = await run('tmux', ['-u', '-S', this.socketPath, '-f', '/dev/null', ...args], { env: this.env, timeoutMs: 10_000 });
    if (result.code !== 0) throw new Error(`tmux ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`);
    return result;
  }
}
