/**
 * Asking the person at the terminal: passwords, passphrases, one-time codes, the host key
 * question. Like OpenSSH we read the controlling terminal (/dev/tty), not stdin, so that
 * `echo data | stayssh host cmd` can still ask for a password and stdin stays the
 * command's. No controlling terminal: a clear StaysshError, never a hang.
 *
 * The terminal is injectable (PromptTty), so tests drive the whole exchange with streams.
 */
import { openSync, closeSync, writeSync } from 'node:fs';
import { ReadStream, isatty } from 'node:tty';
import { StaysshError } from '../errors.js';
import { LineEditor } from './line-editor.js';

/** A terminal to ask on. */
export interface PromptTty {
  input: NodeJS.ReadableStream & { setRawMode?(mode: boolean): unknown };
  output: { write(s: string): unknown };
  /** Give the terminal back: restore its mode (prompts leave it raw), release the fd. */
  close(): void;
}

export interface PromptOptions {
  /** The terminal, or how to open it; default: the controlling terminal. */
  tty?: PromptTty | ((what: string) => PromptTty);
  /** Names the thing asked for in the "no terminal" error (`a password`, ...). */
  what?: string;
}

export type HostKeyAnswer = 'yes' | 'no' | { fingerprint: string };

/** Typed without echo. Rejects StaysshError('interrupted') on Ctrl-C or Ctrl-D. */
export function promptSecret(question: string, opts: PromptOptions = {}): Promise<string> {
  return withTty(opts, opts.what ?? 'a secret', (tty) => readLine(tty, question, false));
}

/** A visible line of text. */
export function promptLine(question: string, opts: PromptOptions = {}): Promise<string> {
  return withTty(opts, opts.what ?? 'an answer', (tty) => readLine(tty, question, true));
}

/**
 * OpenSSH's host key question: `yes` or `no` (any case), or a fingerprint typed back
 * (`SHA256:...`, `MD5:...`), which the caller compares with the key's. As in ssh's
 * confirm(), only the first word counts and an empty answer (Enter alone) is `no`;
 * anything else asks again.
 */
export function promptYesNo(question: string, opts: PromptOptions = {}): Promise<HostKeyAnswer> {
  return withTty(opts, opts.what ?? 'a host key confirmation', async (tty) => {
    let q = question;
    const carry: Carry = {};
    for (;;) {
      const answer = (await readLine(tty, q, true, carry)).trim().split(/[ \t]/)[0] ?? '';
      const lower = answer.toLowerCase();
      if (lower === 'yes') return 'yes';
      if (lower === 'no' || lower === '') return 'no';
      if (/^(SHA256|MD5):\S+$/i.test(answer)) return { fingerprint: answer };
      q = "Please type 'yes', 'no' or the fingerprint: ";
    }
  });
}

/** Opens /dev/tty for reading and writing; StaysshError when there is none. */
export function openControllingTty(what: string): PromptTty {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    throw noTerminal(what);
  }
  if (!isatty(fd)) {
    closeSync(fd);
    throw noTerminal(what);
  }
  const input = new ReadStream(fd);
  // Terminal modes belong to the device, not to this fd: if the session already has it raw
  // (re-authentication mid-session), leave it raw when we are done.
  const keepRaw = process.stdin.isTTY === true && process.stdin.isRaw === true;
  let closed = false;
  return {
    input,
    output: { write: (s: string) => writeSync(fd, s) },
    close() {
      if (closed) return;
      closed = true;
      try {
        input.setRawMode(keepRaw);
      } catch {
        // terminal gone
      }
      input.destroy(); // closes fd
    },
  };
}

function noTerminal(what: string): StaysshError {
  return new StaysshError(`no terminal to ask for ${what} (BatchMode or no tty)`);
}

async function withTty<T>(opts: PromptOptions, what: string, fn: (tty: PromptTty) => Promise<T>): Promise<T> {
  const src = opts.tty ?? openControllingTty;
  const tty = typeof src === 'function' ? src(what) : src;
  try {
    return await fn(tty);
  } finally {
    tty.close();
  }
}

/** Keys typed ahead of an Enter, kept for the next question on the same terminal. */
interface Carry {
  rest?: Buffer;
}

/** Writes `question`, reads one edited line in raw mode. */
function readLine(tty: PromptTty, question: string, echo: boolean, carry: Carry = {}): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const editor = new LineEditor(echo);
    const { input, output } = tty;
    const finish = (err: Error | undefined, line?: string): void => {
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('error', onError);
      input.pause(); // the mode is restored by tty.close(), once, at the end
      if (err) reject(err);
      else resolve(line ?? '');
    };
    const onData = (chunk: Buffer | string): void => {
      const r = editor.feed(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      if (r.echo) output.write(r.echo);
      if (r.kind === 'done') {
        carry.rest = r.rest;
        finish(undefined, r.line);
      }
      else if (r.kind === 'interrupted' || r.kind === 'eof') finish(new StaysshError('interrupted'));
    };
    const onEnd = (): void => {
      output.write('\r\n');
      finish(new StaysshError('interrupted'));
    };
    const onError = (e: Error): void => finish(new StaysshError(`cannot read the terminal: ${e.message}`));
    output.write(question);
    input.setRawMode?.(true);
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
    const ahead = carry.rest;
    carry.rest = undefined;
    if (ahead && ahead.length > 0) onData(ahead);
    input.resume();
  });
}
