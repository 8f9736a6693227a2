import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Hashed known_hosts names (HashKnownHosts): `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`
 * with a 20-byte salt, where name is `host` or `[host]:port`.
 */

const MAGIC = '|1|';
const SHA1_LENGTH = 20;

function hmac(salt: Buffer, name: string): Buffer {
  return createHmac('sha1', salt).update(name).digest();
}

/** A fresh hashed entry for `name`; `salt` only for tests. */
export function hashHostName(name: string, salt: Buffer = randomBytes(SHA1_LENGTH)): string {
  return `${MAGIC}${salt.toString('base64')}|${hmac(salt, name).toString('base64')}`;
}

export function isHashedEntry(field: string): boolean {
  return field.startsWith(MAGIC);
}

/** Decodes base64 strictly (Node's decoder ignores junk; a re-encode must round-trip). */
function strictBase64(text: string): Buffer | null {
  const buf = Buffer.from(text, 'base64');
  return buf.toString('base64') === text ? buf : null;
}

/** True when a `|1|salt|hash` field is the hash of `name`; false for malformed fields. */
export function hashedEntryMatches(field: string, name: string): boolean {
  const parts = field.slice(MAGIC.length).split('|');
  if (parts.length !== 2) return false;
  const salt = strictBase64(parts[0] ?? '');
  const expected = strictBase64(parts[1] ?? '');
  if (salt === null || expected === null || salt.length !== SHA1_LENGTH || expected.length !== SHA1_LENGTH) return false;
  return timingSafeEqual(hmac(salt, name), expected);
}
