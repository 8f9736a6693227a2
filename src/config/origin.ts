import { ConfigError, StaysshError } from '../errors.js';

/** Where a setting came from, for `file:line` in messages. */
export interface Origin {
  file: string;
  line: number;
}

/** The pseudo-file of `-o` options and flags, as OpenSSH names it. */
export const COMMAND_LINE = 'command-line';

export const COMMAND_LINE_ORIGIN: Origin = { file: COMMAND_LINE, line: 0 };

/**
 * The error for a bad setting: `file:line: message` for files, and OpenSSH's own
 * `command-line line 0: message` for -o options (so users recognise it).
 */
export function configError(origin: Origin, message: string): StaysshError {
  if (origin.file === COMMAND_LINE) return new StaysshError(`${COMMAND_LINE} line 0: ${message}`);
  return new ConfigError(origin.file, origin.line, message);
}
