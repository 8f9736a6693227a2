/**
 * What a session needs from the local terminal. The CLI backs it with the process's tty
 * (raw mode, SIGWINCH); the library and tests can back it with plain streams.
 */
export interface TerminalPort {
  onInput(listener: (data: Buffer) => void): void;
  onResize(listener: (cols: number, rows: number) => void): void;
  size(): { cols: number; rows: number };
  /** Screen bytes from the session. */
  write(data: Buffer): void;
  /** Our own messages and the status line. */
  readonly stderr: NodeJS.WritableStream;
  /** Give the terminal back (cooked mode) before suspending, and take it again after. */
  suspend(): void;
}

/** The size assumed when a terminal cannot say its own (what VT100s had, and ssh assumes). */
export const FALLBACK_SIZE: Readonly<{ cols: number; rows: number }> = { cols: 80, rows: 24 };
