import { keyTypeOf } from './host-key.js';

/**
 * One known_hosts line: `[@marker] hostpatterns keytype base64 [comment]` (sshd(8)
 * SSH_KNOWN_HOSTS FILE FORMAT). Anything malformed yields null and is skipped, as OpenSSH
 * does (old RSA1 `bits e n` lines included).
 */
export interface KnownHostsEntry {
  marker: 'revoked' | 'cert-authority' | undefined;
  /** The host field: a comma-separated pattern list or one hashed `|1|salt|hash`. */
  hosts: string;
  keyType: string;
  blob: Buffer;
  line: number;
}

export function parseKnownHostsLine(text: string, line: number): KnownHostsEntry | null {
  const fields = text.trim().split(/[ \t]+/);
  if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) return null;
  let marker: KnownHostsEntry['marker'];
  if (fields[0].startsWith('@')) {
    const name = fields.shift()?.toLowerCase();
    if (name === '@revoked') marker = 'revoked';
    else if (name === '@cert-authority') marker = 'cert-authority';
    else return null;
  }
  const [hosts, keyType, base64] = fields;
  if (hosts === undefined || keyType === undefined || base64 === undefined) return null;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return null;
  const blob = Buffer.from(base64, 'base64');
  try {
    // The type named on the line must be the one inside the key, or OpenSSH rejects it.
    if (keyTypeOf(blob) !== keyType) return null;
  } catch {
    return null;
  }
  return { marker, hosts, keyType, blob, line };
}
