import { createHash } from 'node:crypto';
import { StaysshError } from '../errors.js';

/** A server host key: `blob` is the SSH wire-format public key, `type` the name inside it. */
export interface HostKey {
  type: string;
  blob: Buffer;
}

/** The key type name a wire-format blob starts with (an SSH `string`: uint32 length + bytes). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) throw new StaysshError('malformed public key: too short');
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > blob.length) throw new StaysshError('malformed public key: bad type length');
  const type = blob.subarray(4, 4 + length).toString('latin1');
  if (!/^[\x21-\x7e]+$/.test(type)) throw new StaysshError('malformed public key: bad type name');
  return type;
}

/** `SHA256:` + unpadded base64 of the blob's SHA-256, exactly as ssh and ssh-keygen -l print. */
export function fingerprintSha256(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}
