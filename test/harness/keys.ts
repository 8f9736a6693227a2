// SSH key files made with the real ssh-keygen, so the keys look exactly like a user's
// (OpenSSH private key format, bcrypt KDF for passphrases).
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { runOk } from './run.js';

export type KeyType = 'ed25519' | 'rsa';

export interface KeyPair {
  privatePath: string;
  publicPath: string;
  /** One-line OpenSSH public key, "ssh-ed25519 AAAA... comment". */
  publicLine: string;
}

/** Generates `path` and `path.pub` (mode 0600 private key, as ssh requires). */
export async function generateKey(
  path: string,
  opts: { type?: KeyType; passphrase?: string; comment?: string } = {},
): Promise<KeyPair> {
  const type = opts.type ?? 'ed25519';
  // 2048-bit RSA: valid for OpenSSH, and generation stays well under a second on CI.
  const bits = type === 'rsa' ? ['-b', '2048'] : [];
  await runOk('ssh-keygen', ['-q', '-t', type, ...bits, '-N', opts.passphrase ?? '', '-C', opts.comment ?? `stayssh-test-${type}`, '-f', path]);
  return readKeyPair(path);
}

/** Copies an existing unencrypted private key to `dest` (0600) and derives `dest.pub`. */
export async function importKey(src: string, dest: string): Promise<KeyPair> {
  copyFileSync(src, dest);
  chmodSync(dest, 0o600); // ssh and sshd refuse group/world-readable private keys.
  writeFileSync(`${dest}.pub`, await runOk('ssh-keygen', ['-y', '-f', dest]));
  return readKeyPair(dest);
}

export function readKeyPair(privatePath: string): KeyPair {
  const publicPath = `${privatePath}.pub`;
  return { privatePath, publicPath, publicLine: readFileSync(publicPath, 'utf8').trim() };
}

/** "[host]:port keytype base64" (no brackets for port 22), without the comment. */
export function knownHostsEntry(host: string, port: number, publicLine: string): string {
  const [type, blob] = publicLine.split(/\s+/);
  const name = port === 22 ? host : `[${host}]:${port}`;
  return `${name} ${type ?? ''} ${blob ?? ''}`;
}

/**
 * The SHA256 fingerprint ssh-keygen -l prints (`SHA256:...`) for a public key line or a
 * known_hosts line: computed by OpenSSH itself, so a test does not check stayssh's
 * fingerprints against stayssh's own arithmetic.
 */
export async function fingerprintOf(line: string): Promise<string> {
  const out = await runOk('ssh-keygen', ['-l', '-E', 'sha256', '-f', '-'], { input: `${line}\n` });
  const fingerprint = /SHA256:[A-Za-z0-9+/]+/.exec(out)?.[0];
  if (fingerprint === undefined) throw new Error(`ssh-keygen -l printed no SHA256 fingerprint: ${out}`);
  return fingerprint;
}
