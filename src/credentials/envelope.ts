/**
 * The stored form of a host-bound secret (a password or a keyboard-interactive answer,
 * accounts.ts isHostBound): the secret together with the SHA256 fingerprint of the host
 * key the server proved when it accepted that secret, as one JSON value in the item:
 *
 *   {"v":1,"fingerprint":"SHA256:<43 base64 characters>","secret":"..."}
 *
 * A stored secret is sent only to a server whose host key, verified on this very
 * connection, has that fingerprint (docs/BEHAVIOUR.md §6). A name alone can reach two
 * machines: the same HostName through two `-J` bastions with their own known_hosts, a
 * server reinstalled with a new key and accepted again, a new host under `accept-new`.
 *
 * Why the fingerprint is inside the value rather than in the account name
 * (`user@host:port#SHA256:...`), docs/DECISIONS.md:
 * - the item keeps its name: one item per destination, found by --forget, by keychain
 *   UIs and by `secret-tool lookup` under the name it always had; and a login that
 *   stores a secret for a new key replaces the item instead of leaving one orphan per
 *   key change (a name in the keychain holds one secret, the last one accepted);
 * - the version says what the value is: the bare secret older stayssh stored, or a
 *   format this one does not know, is recognisably not a v1 envelope and is never sent.
 *
 * Nothing here puts a secret into an error or a message: a value that does not open is
 * simply "nothing stored".
 */

/** `SHA256:` and the unpadded base64 of 32 bytes, as ssh and ssh-keygen -l print it. */
const SHA256_FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

export const ENVELOPE_VERSION = 1;

export function isFingerprint(text: string): boolean {
  return SHA256_FINGERPRINT.test(text);
}

/** The value to store for `secret`, accepted by the server whose host key has `fingerprint`. */
export function sealSecret(secret: string, fingerprint: string): string {
  if (!isFingerprint(fingerprint)) throw new Error('a stored secret needs the SHA256 fingerprint of a host key');
  return JSON.stringify({ v: ENVELOPE_VERSION, fingerprint, secret });
}

/**
 * The secret in `stored`, if it is a v1 envelope sealed with exactly `fingerprint`;
 * otherwise undefined: another key's secret, a secret stored before secrets were bound
 * to host keys (a bare value), or anything unreadable, are all "nothing stored".
 */
export function openSecret(stored: string, fingerprint: string): string | undefined {
  if (!isFingerprint(fingerprint)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    return undefined; // a bare secret of the old format (never echoed: the error would quote it)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const envelope = parsed as Record<string, unknown>;
  if (envelope['v'] !== ENVELOPE_VERSION || envelope['fingerprint'] !== fingerprint) return undefined;
  const secret = envelope['secret'];
  return typeof secret === 'string' ? secret : undefined;
}
