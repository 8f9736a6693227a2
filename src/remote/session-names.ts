/** Generated session names: short, readable, valid for tmux and screen. */
import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789'; // no 0/o/1/l: easy to read back

export function generateSessionName(prefix = 's'): string {
  const bytes = randomBytes(6);
  let id = '';
  for (const b of bytes) id += ALPHABET[b % ALPHABET.length];
  return `${prefix}-${id}`;
}
