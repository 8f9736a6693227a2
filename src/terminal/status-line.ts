/**
 * The outage status line (docs/BEHAVIOUR.md §3), on stderr, from the moment the link is in doubt until
 * the session is reattached:  `stayssh: link lost 12s ago · attempt 3 · next in 4s · ~. to leave`
 *
 * Two parts: formatStatus(), pure (state + width → one line of plain text), and StatusLine,
 * which draws it.
 *
 * Why not ora: ora assumes it owns the line the cursor is on (it writes `\r`, clears and
 * rewrites that line, moves up for multi-line text, hides the cursor). Here the cursor
 * belongs to the remote program (a shell prompt mid-line, vim mid-screen), so every ora
 * frame would overwrite the user's text where the cursor is. Worse, ora by default puts
 * stdin in raw mode and discards it while spinning (stdin-discarder), which would swallow
 * exactly the keystrokes we must keep for after the reattach, `~.` included, and it hooks
 * process exit to restore the cursor, competing with raw-mode.ts. So: chalk only, drawn on
 * the terminal's last row with the cursor saved and restored around it (ESC 7 / ESC 8).
 * After the reattach the multiplexer redraws the whole screen, last row included.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { showEscapeChar } from './escape-parser.js';
import { FALLBACK_SIZE } from '../contracts/terminal-port.js';

/** ms between redraws while shown (docs/BEHAVIOUR.md §3: refreshed every second); the caller's timer. */
export const STATUS_REFRESH_MS = 1_000;

export type StatusPhase = 'doubt' | 'reconnecting' | 'authenticating' | 'attaching';

export interface StatusState {
  phase: StatusPhase;
  /** ms since the last byte from the server. */
  sinceContactMs: number;
  /** re-dial attempts so far (0 while only in doubt). */
  attempt: number;
  /** ms until the next re-dial; unset or ≤ 0 while one is in progress. */
  nextAttemptInMs?: number;
  /** short reason the last attempt failed, e.g. "connection refused". Never a secret. */
  lastError?: string;
  /** the escape character as typed (`~`, `^]`) or 'none' (no leave hint then). */
  escapeChar: string | number;
  /**
   * What is known to have caused this outage, long and short (`demo cut the link
   * (reset)`, `demo cut (reset)`): `--demo` names its own cuts (docs/BEHAVIOUR.md §1,
   * `--demo`). Shown first while it fits; the caller must only give one that is true.
   */
  cause?: readonly [string, string];
}

/** `12s`, `3m05s`, `1h02m`: compact and monotonic to read at a glance. */
export function formatDuration(ms: number, round: 'floor' | 'ceil' = 'floor'): string {
  const s = Math.max(0, round === 'ceil' ? Math.ceil(ms / 1000) : Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const SEP = ' · ';

/**
 * One line, at most `width` characters (all characters used are one column wide). Tries
 * progressively terser renderings, dropping the least useful parts first (the last error,
 * then the attempt count), and cuts the tersest one with `…` if even that is too wide.
 */
export function formatStatus(state: StatusState, width: number): string {
  const w = Math.max(0, Math.floor(width));
  const since = formatDuration(state.sinceContactMs);
  const e = state.escapeChar === 'none' ? undefined : showEscapeChar(state.escapeChar);
  const doubt = state.phase === 'doubt';

  const head = doubt ? [`no reply for ${since}`, `silent ${since}`] : [`link lost ${since} ago`, `lost ${since}`];
  const attempt = !doubt && state.attempt > 0 ? [`attempt ${state.attempt}`, `#${state.attempt}`] : undefined;
  const next = doubt ? ['checking', 'checking'] : progress(state);
  const err = !doubt && state.lastError ? [`(${state.lastError})`] : undefined;
  const leave = e === undefined ? undefined : [`Enter ${e}. to leave`, `${e}. to leave`, `${e}.`];
  const cause = state.cause;

  // Each candidate: [prefix?, cause?, head, attempt?, next, err?, leave?] as indexes into
  // the forms. The cause goes before the attempt count and after the error; with no cause
  // the first forms are the same as the ones after them.
  type Form = { prefix: boolean; c?: number; h: number; a: number | null; n: number; err: boolean; l: number | null };
  const forms: Form[] = [
    { prefix: true, c: 0, h: 0, a: 0, n: 0, err: true, l: 0 },
    { prefix: true, c: 0, h: 0, a: 0, n: 0, err: false, l: 0 },
    { prefix: true, c: 1, h: 0, a: 0, n: 0, err: false, l: 0 },
    { prefix: true, c: 1, h: 0, a: 0, n: 0, err: false, l: 1 },
    { prefix: true, h: 0, a: 0, n: 0, err: true, l: 0 },
    { prefix: true, h: 0, a: 0, n: 0, err: false, l: 0 },
    { prefix: true, h: 0, a: 0, n: 0, err: false, l: 1 },
    { prefix: true, h: 1, a: 1, n: 1, err: false, l: 1 },
    { prefix: false, h: 1, a: 1, n: 1, err: false, l: 1 },
    { prefix: false, h: 1, a: null, n: 1, err: false, l: 2 },
    { prefix: false, h: 1, a: null, n: 1, err: false, l: null },
  ];
  let line = '';
  for (const f of forms) {
    const parts: string[] = [];
    if (cause && f.c !== undefined) parts.push(pick(cause, f.c));
    parts.push(pick(head, f.h));
    if (attempt && f.a !== null) parts.push(pick(attempt, f.a));
    parts.push(pick(next, f.n));
    if (err && f.err) parts.push(pick(err, 0));
    if (leave && f.l !== null) parts.push(pick(leave, f.l));
    line = (f.prefix ? 'stayssh: ' : '') + parts.join(SEP);
    if ([...line].length <= w) return line;
  }
  const chars = [...line];
  return w <= 0 ? '' : chars.slice(0, w - 1).join('') + '…';
}

function progress(state: StatusState): [string, string] {
  const next = state.nextAttemptInMs;
  if (state.phase === 'authenticating') return ['authenticating', 'auth'];
  if (state.phase === 'attaching') return ['reattaching', 'attach'];
  if (next !== undefined && next > 0) {
    const d = formatDuration(next, 'ceil'); // never "next in 0s" while still waiting
    return [`next in ${d}`, `next ${d}`];
  }
  return ['dialing', 'dialing'];
}

function pick(forms: readonly string[], i: number): string {
  return forms[Math.min(i, forms.length - 1)] ?? '';
}

/** The parts of a stream StatusLine needs (process.stderr fits). */
export interface StatusStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
  hasColors?(): boolean;
}

const SAVE_CURSOR = '\x1b7';
const RESTORE_CURSOR = '\x1b8';
const CLEAR_LINE = '\x1b[2K';
const moveTo = (row: number): string => `\x1b[${row};1H`;
/** Fallback terminal size when the stream does not know it. */
const FALLBACK_COLUMNS = FALLBACK_SIZE.cols;
const FALLBACK_ROWS = FALLBACK_SIZE.rows;

export class StatusLine {
  private readonly stream: StatusStream;
  private readonly chalk: ChalkInstance;
  private shownPhase: StatusPhase | undefined;
  /** the row drawn on, so clear() erases that row even if the terminal was resized since. */
  private drawnRow: number | undefined;

  constructor(stream: StatusStream = process.stderr) {
    this.stream = stream;
    this.chalk = new Chalk({ level: stream.isTTY && stream.hasColors?.() ? 1 : 0 });
  }

  get visible(): boolean {
    return this.shownPhase !== undefined;
  }

  show(state: StatusState): void {
    this.render(state);
  }

  update(state: StatusState): void {
    this.render(state);
  }

  /**
   * Erases the line. On a terminal the last row is left blank: the caller must have the
   * screen redrawn (reattaching does; after doubt → alive without reattach, ask the
   * multiplexer to refresh).
   */
  clear(): void {
    if (this.shownPhase === undefined) return;
    if (this.stream.isTTY && this.drawnRow !== undefined) {
      this.stream.write(SAVE_CURSOR + moveTo(this.drawnRow) + CLEAR_LINE + RESTORE_CURSOR);
    }
    this.shownPhase = undefined;
    this.drawnRow = undefined;
  }

  private render(state: StatusState): void {
    if (!this.stream.isTTY) {
      // A log, not a display: one plain line per phase change, no escape codes, no ticking.
      if (this.shownPhase !== state.phase) this.stream.write(formatStatus(state, 200) + '\n');
      this.shownPhase = state.phase;
      return;
    }
    const cols = positive(this.stream.columns, FALLBACK_COLUMNS);
    const rows = positive(this.stream.rows, FALLBACK_ROWS);
    // One column short: writing the last cell of the last row can leave a pending wrap that
    // some terminals turn into a scroll.
    const text = formatStatus(state, cols - 1);
    const painted = this.chalk.inverse(text.padEnd(cols - 1));
    this.stream.write(SAVE_CURSOR + moveTo(rows) + CLEAR_LINE + painted + RESTORE_CURSOR);
    this.shownPhase = state.phase;
    this.drawnRow = rows;
  }
}

function positive(n: number | undefined, fallback: number): number {
  return n !== undefined && Number.isFinite(n) && n >= 2 ? Math.floor(n) : fallback;
}
