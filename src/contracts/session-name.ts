import { StaysshError } from '../errors.js';

/** A session name: safe as a tmux/screen name and in a shell word, short enough to read. */
export const SESSION_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The same rule, as a test (the server-side scripts check it again). */
export function isValidSessionName(name: string): boolean {
  return SESSION_NAME_RE.test(name);
}

/** Refuses a bad name before any connection is made (docs/BEHAVIOUR.md §1). */
export function validateSessionName(name: string): void {
  if (!SESSION_NAME_RE.test(name)) {
    throw new StaysshError(
      `invalid session name ${JSON.stringify(name)}: use letters, digits, '.', '_' or '-' (at most 64, starting with a letter or digit)`,
    );
  }
}
