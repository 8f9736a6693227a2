/**
 * The local window size, and its changes. Node turns SIGWINCH into a 'resize' event on a
 * TTY stdout (and updates columns/rows before emitting it), so we listen there rather than
 * installing a SIGWINCH handler of our own.
 */
import { FALLBACK_SIZE } from '../contracts/terminal-port.js';

/** The parts of a stream we use: tty.WriteStream (process.stdout) fits. */
export interface SizedStream {
  columns?: number;
  rows?: number;
  on(event: 'resize', listener: () => void): unknown;
  removeListener(event: 'resize', listener: () => void): unknown;
}

export interface WindowSize {
  cols: number;
  rows: number;
}

/** Used when the stream does not know (not a TTY, or a terminal reporting 0x0): ssh's and the VT100's default. */
export { FALLBACK_SIZE };

export function currentSize(stdout: Pick<SizedStream, 'columns' | 'rows'>): WindowSize {
  return { cols: sane(stdout.columns, FALLBACK_SIZE.cols), rows: sane(stdout.rows, FALLBACK_SIZE.rows) };
}

/**
 * Calls `cb` at once on every real change of size (docs/BEHAVIOUR.md §2: resize followed at once: no
 * debounce, a window-change request is a few bytes). Spurious SIGWINCHs with an unchanged
 * size are not forwarded. Returns the disposer.
 */
export function onResize(stdout: SizedStream, cb: (cols: number, rows: number) => void): () => void {
  let last = currentSize(stdout);
  const listener = (): void => {
    const now = currentSize(stdout);
    if (now.cols === last.cols && now.rows === last.rows) return;
    last = now;
    cb(now.cols, now.rows);
  };
  stdout.on('resize', listener);
  let disposed = false;
  return () => {
    if (disposed) return;
    disposed = true;
    stdout.removeListener('resize', listener);
  };
}

function sane(n: number | undefined, fallback: number): number {
  return n !== undefined && Number.isInteger(n) && n > 0 ? n : fallback;
}
