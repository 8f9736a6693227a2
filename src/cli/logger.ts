/**
 * Messages for the user on stderr: one line each, prefixed like ssh's own. `-q` silences
 * warnings, `-v` adds debug lines. Never given secrets: callers pass only what is safe.
 */
export interface Logger {
  warn(text: string): void;
  info(text: string): void;
  debug(text: string): void;
  readonly verbosity: number;
}

export function makeLogger(stream: NodeJS.WritableStream & { isTTY?: boolean }, quiet: boolean, verbosity: number): Logger {
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
