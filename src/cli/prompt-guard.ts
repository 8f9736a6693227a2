/**
 * Prompts while a session owns the terminal. Once attached, stdin is raw and a 'data'
 * listener relays every key to the remote side. A prompt that opened /dev/tty beside it
 * (terminal/prompt.ts) would race that listener for each key — and process.stdin.pause()
 * does not stop Node from reading the fd, so the typed password would land in the
 * session's buffer and go to the remote shell after the reattach. So while a session
 * reads stdin, a prompt borrows stdin itself: the session's listeners are taken off for
 * the prompt and put back after it, and nothing typed in between reaches them.
 *
 * Where: once the session has drawn on the screen, the question goes on the row above
 * the outage status line (which redraws the last row every second and would overwrite
 * it), prefixed `stayssh:` so nobody takes it for the remote program's; the reattach
 * redraws the screen afterwards. Before that, it is asked in the normal flow, like ssh.
 */
import type { Prompter } from '../transport/prompter.js';
import { promptLine, promptSecret, promptYesNo, type PromptOptions, type PromptTty } from '../terminal/prompt.js';

type Listener = (...args: unknown[]) => void;

/** The process's stdin as prompts need it (tty.ReadStream fits). */
export interface GuardedInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
  readonly readableFlowing: boolean | null;
  listeners(event: string | symbol): Function[]; // eslint-disable-line @typescript-eslint/no-unsafe-function-type
}

/** Where the session's screen goes (process.stdout fits): has it drawn yet, how tall. */
export interface GuardedScreen {
  isTTY?: boolean;
  rows?: number;
  bytesWritten?: number;
}

const CLEAR_LINE = '\x1b[2K';
const moveTo = (row: number): string => `\x1b[${row};1H`;

export function guardPrompter(
  base: Prompter,
  stdin: GuardedInput = process.stdin,
  screen: GuardedScreen = process.stdout,
  out: { write(s: string): unknown } = process.stderr,
): Prompter {
  const options = (question: string): { q: string; opts: PromptOptions } => {
    if (!stdin.isTTY || stdin.listeners('data').length === 0) return { q: question, opts: {} };
    const owned = screen.isTTY === true && (screen.bytesWritten ?? 0) > 0;
    const lines = question.split('\n').length;
    const row = Math.max(1, (screen.rows ?? 24) - lines);
    const q = owned ? `${moveTo(row)}${CLEAR_LINE}stayssh: ${question.replace(/\r?\n/g, `\r\n${CLEAR_LINE}`)}` : question;
    return { q, opts: { tty: () => borrow(stdin, out, owned ? row : undefined) } };
  };
  return {
    secret: (question) => {
      const { q, opts } = options(question);
      return opts.tty ? promptSecret(q, opts) : base.secret(question);
    },
    line: (question) => {
      const { q, opts } = options(question);
      return opts.tty ? promptLine(q, opts) : base.line(question);
    },
    confirmHostKey: (question) => {
      const { q, opts } = options(question);
      return opts.tty ? promptYesNo(q, opts) : base.confirmHostKey(question);
    },
  };
}

/** stdin for one prompt: the session's listeners off, raw mode and flow restored after. */
function borrow(stdin: GuardedInput, out: { write(s: string): unknown }, row: number | undefined): PromptTty {
  const listeners = stdin.listeners('data') as Listener[];
  const wasFlowing = stdin.readableFlowing === true;
  const wasRaw = stdin.isRaw === true;
  for (const l of listeners) stdin.removeListener('data', l);
  stdin.pause();
  let closed = false;
  return {
    input: stdin,
    // On the row above the status line, the Enter's newline would step onto it: dropped.
    output: { write: (s: string) => out.write(row === undefined ? s : s.replace(/\r\n$/, '')) },
    close() {
      if (closed) return;
      closed = true;
      if (row !== undefined) out.write(`${moveTo(row)}${CLEAR_LINE}`);
      try {
        stdin.setRawMode?.(wasRaw);
      } catch {
        // the terminal is gone: the session will notice
      }
      for (const l of listeners) stdin.on('data', l);
      if (wasFlowing) stdin.resume();
    },
  };
}
