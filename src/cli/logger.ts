/**
 * Messages for the user on stderr: one line each, prefixed like ssh's own. `-q` silences
 * warnings, `-v` adds debug lines. Never given secrets: callers pass only what is safe.
 */
import { openSync, writeSync } from 'node:fs';
import { StaysshError } from '../errors.js';

export interface Logger {
  warn(text: string): void;
  info(text: string): void;
  debug(text: string): void;
  readonly verbosity: number;
}

/** Where the lines go: stderr, or the `-E` file (logFileSink). */
export interface LogSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * `-E log_file`: lines appended to the file, as `ssh -E` does. Opened at once, so a file
 * that cannot be written ends the run before anything is dialed; written synchronously,
 * so no line is lost when the process exits.
 */
export function logFileSink(path: string): LogSink {
  let fd: number;
  try {
    fd = openSync(path, 'a', 0o600);
  } catch (err) {
    throw new StaysshError(`-E: cannot open log file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return { write: (text: string) => writeSync(fd, text), isTTY: false };
}

export function makeLogger(stream: LogSink, quiet: boolean, verbosity: number): Logger {
  // On a terminal CR LF: in raw mode a bare LF does not return the carriage, and CR LF is
  // right in both modes. Into a file or a pipe, where no terminal mode applies, plain LF.
  const eol = stream.isTTY === true ? '\r\n' : '\n';
  const write = (text: string) => stream.write(`${text.replace(/\r?\n/g, eol)}${eol}`);
  return {
    verbosity,
    warn: (text) => {
      if (!quiet) write(text);
    },
    info: (text) => {
      if (!quiet) write(text);
    },
    debug: (text) => {
      if (verbosity > 0) write(`debug${Math.min(verbosity, 3)}: ${text}`);
    },
  };
}
