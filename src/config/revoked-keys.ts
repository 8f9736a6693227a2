import { readFileSync } from 'node:fs';
import { keyTypeOf, type HostKey } from './host-key.js';

/**
 * RevokedHostKeys (ssh_config(5)): a file of revoked public keys, read as OpenSSH's
 * sshkey_check_revoked() reads it. OpenSSH first tries the file as a KRL (the binary list
 * `ssh-keygen -k` writes, starting with the magic `SSHKRL\n\0`) and otherwise as a plain
 * list: one public key per line (`type base64 [comment]`, as in a `.pub` file), blank
 * lines and `#` comments skipped. Any error (a file that cannot be read, a line that is
 * not a key) refuses the connection, so this does too; and a KRL, which stayssh cannot
 * parse, is refused rather than read as "nothing revoked" (docs/BEHAVIOUR.md §7).
 */
export type RevocationCheck =
  | { kind: 'not-revoked' }
  | { kind: 'revoked'; line: number }
  /** The file cannot be used: `why` is one line naming the setting and the file. */
  | { kind: 'unusable'; why: string };

/** OpenSSH krl.h KRL_MAGIC (0x5353484b524c0a00): "SSHKRL\n\0". */
const KRL_MAGIC = Buffer.from('SSHKRL\n\0', 'latin1');

const CERT_SUFFIX = '-cert-v01@openssh.com';

/** The words of strerror for the errors a user meets reading a file. */
function readErrorWords(err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return (err as Error).message;
}

/** An SSH wire `string` at `offset`: its end, or -1 when the buffer is too short. */
function skipString(blob: Buffer, offset: number): number {
  if (offset + 4 > blob.length) return -1;
  const end = offset + 4 + blob.readUInt32BE(offset);
  return end > blob.length ? -1 : end;
}

/**
 * True when a listed certificate is one of `key` (OpenSSH compares a certificate's public
 * part, sshkey_equal_public): a certificate blob is `string certtype, string nonce`, then
 * the plain key's public fields, then the certificate's own fields; a plain blob is
 * `string type` and the same public fields.
 */
function certificateOf(cert: Buffer, certType: string, key: HostKey): boolean {
  const base = certType.slice(0, -CERT_SUFFIX.length);
  const plainType = base.startsWith('sk-') ? `${base}@openssh.com` : base;
  if (plainType !== key.type) return false;
  const fields = skipString(cert, skipString(cert, 0));
  const keyFields = skipString(key.blob, 0);
  if (fields < 0 || keyFields < 0) return false;
  const publicPart = key.blob.subarray(keyFields);
  return cert.subarray(fields, fields + publicPart.length).equals(publicPart);
}

/** Is `key` listed in the RevokedHostKeys file `file`? Reads the file on every call. */
export function checkRevokedKeysFile(file: string, key: HostKey): RevocationCheck {
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch (err) {
    return { kind: 'unusable', why: `cannot read RevokedHostKeys file ${file}: ${readErrorWords(err)}` };
  }
  if (content.subarray(0, KRL_MAGIC.length).equals(KRL_MAGIC)) {
    return {
      kind: 'unusable',
      why: `RevokedHostKeys file ${file} is a KRL (binary key revocation list), which stayssh cannot read (list the revoked public keys one per line instead)`,
    };
  }
  const lines = content.toString('utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = (lines[i] ?? '').trim();
    if (text === '' || text.startsWith('#')) continue;
    const [type, base64] = text.split(/[ \t]+/);
    const blob = base64 !== undefined && /^[A-Za-z0-9+/]+={0,2}$/.test(base64) ? Buffer.from(base64, 'base64') : undefined;
    let inside: string | undefined;
    try {
      inside = blob === undefined ? undefined : keyTypeOf(blob);
    } catch {
      inside = undefined;
    }
    if (type === undefined || blob === undefined || inside !== type) {
      return { kind: 'unusable', why: `RevokedHostKeys file ${file}:${i + 1}: not a public key (expected "type base64 [comment]")` };
    }
    const listed = type.endsWith(CERT_SUFFIX) ? certificateOf(blob, type, key) : blob.equals(key.blob);
    if (listed) return { kind: 'revoked', line: i + 1 };
  }
  return { kind: 'not-revoked' };
}
