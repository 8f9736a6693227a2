// Figure 4: keystroke echo latency through a pty. The client runs under
// `script -qfec CMD /dev/null` (script gives it a pty; we hold script's pipes), straight
// to sshd. At the remote shell we start `cat`, then N times write one printable character
// and time (hrtime) until it comes back on script's stdout: the remote pty's echo, through
// tmux or screen where there is one. No screen polling: the bytes themselves are watched.
//
// Beside stayssh (under tmux and under screen) and ssh (plain, + tmux, + screen), two
// local loops with no network: `cat` and a minimal Node relay (pty-relay.ts) on the same
// kind of pty. They are yardsticks for what the figure is made of: what a multiplexer
// costs ssh, and what any Node client pays per hop before it does any SSH.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Rig } from './rig.js';
import type { Outcome } from './outcome.js';
import { killTree } from './proc.js';
import { shellLine } from './rig.js';
import { msSince, sleep, summarize, type Summary } from './stats.js';

export const ECHO_SAMPLES = 200;
/** Unmeasured keystrokes first (warm caches, tmux's first redraw). */
const WARMUP = 10;
/** Pause between keystrokes, ms: one key at a time, never a burst. */
const GAP_MS = 10;
/** One echo taking longer than this is a failure, ms. */
const ECHO_TIMEOUT_MS = 5_000;
/** Session start-up to a quiet prompt (or a local loop's first echo), ms. */
const START_TIMEOUT_MS = 20_000;
/** No output for this long means the screen has settled, ms. */
const QUIET_MS = 400;
/** 52 letters in turn: a redraw repeating recent text never matches the awaited one. */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export interface EchoFigures {
  samplesMs: number[];
  summary: Summary;
}

export interface EchoResult {
  /** stayssh with its default multiplexer, tmux. */
  stayssh: Outcome<EchoFigures>;
  /** `stayssh --mux screen`. */
  staysshScreen: Outcome<EchoFigures>;
  /** `ssh -t host tmux new -A -s b`: the fair comparison (a multiplexer on the path too). */
  sshTmux: Outcome<EchoFigures>;
  /** `ssh -t host screen -S b`. */
  sshScreen: Outcome<EchoFigures>;
  /** `ssh -t host`: a plain shell, the floor. */
  sshPlain: Outcome<EchoFigures>;
  /** `cat` on a local raw pty: no network, no SSH. */
  localCat: Outcome<EchoFigures>;
  /** pty-relay.js (Node: stdin 'data' -> stdout.write) on a local raw pty. */
  localNode: Outcome<EchoFigures>;
}

/** The minimal Node relay, built beside this file. */
const PTY_RELAY = fileURLToPath(new URL('./pty-relay.js', import.meta.url));

/* eslint-disable no-control-regex -- terminal escape sequences are control characters */
/** Terminal output with escape sequences removed (an incomplete one at the end too). */
export function visibleText(raw: string): string {
  return raw
    .replace(/\x1b(\[[0-?]*[ -/]*|[P\]X^_][^\x07\x1b]*|[ -/]*)$/, '') // one still arriving
    .replace(/\x1b[P\]X^_][^\x07\x1b]*(\x07|\x1b\\)/g, '') // OSC, DCS and other strings
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '') // CSI
    .replace(/\x1b[ -/]*[0-~]/g, ''); // two-byte escapes: ESC = ESC > ESC 7 ESC ( B ...
}
/* eslint-enable no-control-regex */

class PtyClient {
  private raw = '';
  private lastDataAt = Date.now();
  private waiter: (() => void) | undefined;
  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      this.raw += d;
      this.lastDataAt = Date.now();
      this.waiter?.();
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (this.raw += d));
  }

  static start(rig: Rig, argv: readonly string[]): PtyClient {
    // script's pty would be 0x0 without a terminal of our own: give it a size first.
    const inner = `stty cols 100 rows 30; exec ${shellLine(argv)}`;
    const child = spawn('script', ['-qfec', inner, '/dev/null'], { env: { ...rig.env, TERM: 'xterm-256color' }, stdio: ['pipe', 'pipe', 'pipe'] });
    return new PtyClient(child);
  }

  take(): string {
    const out = this.raw;
    this.raw = '';
    return out;
  }

  async waitQuiet(pattern: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let raw = '';
    let seen = '';
    while (Date.now() < deadline) {
      raw += this.take();
      seen = visibleText(raw);
      if (pattern.test(seen) && Date.now() - this.lastDataAt >= QUIET_MS) return;
      if (this.child.exitCode !== null) break;
      await sleep(20);
    }
    throw new Error(`no ${String(pattern)} followed by quiet within ${timeoutMs} ms; output was:\n${seen.slice(-1500)}`);
  }

  /** Writes `ch` and resolves with ms until it is echoed. */
  async echo(ch: string, timeoutMs = ECHO_TIMEOUT_MS): Promise<number> {
    this.take();
    let buf = '';
    const started = process.hrtime.bigint();
    this.child.stdin.write(ch);
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no echo of ${JSON.stringify(ch)} within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = () => {
        buf += this.take();
        if (visibleText(buf).includes(ch)) {
          const ms = msSince(started);
          clearTimeout(timer);
          this.waiter = undefined;
          resolve(ms);
        }
      };
      this.waiter = check;
      check();
    });
  }

  kill(): void {
    if (this.child.pid !== undefined && this.child.exitCode === null) killTree(this.child.pid);
  }
}

interface Contender {
  key: keyof EchoResult;
  what: string;
  argv: readonly string[];
  /** A loop on this machine: no remote shell to wait for, it echoes from the start. */
  local?: boolean;
  client?: PtyClient;
  samples: number[];
  error?: Error;
}

/** Starts one client and brings it to `cat` at a quiet screen. */
async function prepare(rig: Rig, c: Contender): Promise<void> {
  const client = PtyClient.start(rig, c.argv);
  c.client = client;
  rig.defer(`echo client ${c.what}`, () => client.kill());
  if (c.local) {
    await client.echo('.', START_TIMEOUT_MS);
    return;
  }
  await client.waitQuiet(/[$#] /, START_TIMEOUT_MS).catch((err: Error) => {
    throw new Error(`${c.what}: no prompt: ${err.message}`);
  });
  client.child.stdin.write('exec cat\r');
  await client.waitQuiet(/cat/, START_TIMEOUT_MS);
}

function figures(c: Contender): Outcome<EchoFigures> {
  if (c.error) return { ok: false, error: c.error.message };
  return { ok: true, value: { samplesMs: c.samples, summary: summarize(c.samples) } };
}

/**
 * All clients are open at once and take turns, one keystroke each per round: the
 * machine's state drifts over seconds (other load, CPU frequency, the host under this
 * VM), and measuring one client after the other put that drift into the ratio (the same
 * build measured 1.2x and 1.5x in two runs). Taking turns exposes all three to the same
 * drift; only one key is in flight at any moment.
 */
export async function measureEcho(rig: Rig): Promise<EchoResult> {
  const sshT = rig.ssh({ route: 'direct', extra: ['-t'] });
  const contenders: Contender[] = [
    { key: 'stayssh', what: 'stayssh', argv: rig.stayssh({ route: 'direct' }), samples: [] },
    { key: 'staysshScreen', what: 'stayssh --mux screen', argv: rig.stayssh({ route: 'direct', extra: ['--mux', 'screen'] }), samples: [] },
    { key: 'sshTmux', what: 'ssh -t + tmux', argv: [...sshT, 'tmux new -A -s b'], samples: [] },
    { key: 'sshScreen', what: 'ssh -t + screen', argv: [...sshT, 'screen -S b'], samples: [] },
    { key: 'sshPlain', what: 'ssh -t', argv: sshT, samples: [] },
    { key: 'localCat', what: 'local cat', argv: ['sh', '-c', 'stty raw -echo; exec cat'], local: true, samples: [] },
    { key: 'localNode', what: 'local Node relay', argv: [process.execPath, PTY_RELAY], local: true, samples: [] },
  ];
  for (const c of contenders) await prepare(rig, c).catch((err: Error) => (c.error = err));
  for (let i = 0; i < WARMUP + ECHO_SAMPLES; i++) {
    const ch = ALPHABET[i % ALPHABET.length] ?? 'x';
    for (const c of contenders) {
      if (c.error || !c.client) continue;
      const ms = await c.client.echo(ch).catch((err: Error) => {
        c.error = new Error(`${c.what}, keystroke ${i + 1}: ${err.message}`);
        return undefined;
      });
      if (ms !== undefined && i >= WARMUP) c.samples.push(ms);
      await sleep(GAP_MS);
    }
  }
  for (const c of contenders) c.client?.kill();
  const result = {} as Record<keyof EchoResult, Outcome<EchoFigures>>;
  for (const c of contenders) result[c.key] = figures(c);
  return result;
}
