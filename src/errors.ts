/**
 * The one error type that reaches the user. Anything thrown as a StaysshError is printed
 * as a single line `stayssh: <message>` on stderr and ends the process with `exitCode`
 * (docs/BEHAVIOUR.md §7: 255 for every bad input and fault, 1 for `--kill` of a missing session).
 * Anything else that escapes is a bug, still printed on one line, still exit 255.
 */
export class StaysshError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 255,
  ) {
    super(message);
    this.name = 'StaysshError';
  }
}

/** A config file problem, always located as `file:line: message`. */
export class ConfigError extends StaysshError {
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'ConfigError';
  }
}
