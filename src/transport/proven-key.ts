/**
 * A re-dial signs at once with the key the server already accepted in this run, instead
 * of first asking whether it would (RFC 4252 §7: the query is optional). ssh2 always asks
 * first (a USERAUTH_REQUEST without a signature, answered by PK_OK), as OpenSSH does for a
 * key it has not tried: that is one round trip of every re-dial, 50 ms on a 50 ms link,
 * for a question whose answer we know.
 *
 * Only for private keys held in this process (IdentityFile): an agent key is signed by
 * the agent, which ssh2 reaches only after PK_OK. ssh2 internals, checked for shape: if
 * they are not what we expect, ssh2 asks first as it always did.
 */
import type { Client } from 'ssh2';

interface KeyLike {
  getPublicSSH?: () => Buffer;
  isPrivateKey?: () => boolean;
  sign?: (data: Buffer, hash?: string) => Buffer | Error;
}

type AuthSend = (this: unknown, ...args: unknown[]) => unknown;

interface AuthProtocol {
  authPK?: unknown;
  authPassword?: unknown;
  authKeyboard?: unknown;
  authNone?: unknown;
  authHostbased?: unknown;
}

/** The public key blob the server accepted on an earlier link of this run, per endpoint. */
export class ProvenKey {
  blob: Buffer | undefined;
}

/** The hash a signature needs for ssh2's key algorithm name (RSA's SHA-2 variants). */
function hashOf(keyAlgo: unknown): string | undefined {
  if (keyAlgo === 'rsa-sha2-256') return 'sha256';
  if (keyAlgo === 'rsa-sha2-512') return 'sha512';
  if (keyAlgo === 'ssh-rsa') return 'sha1';
  return undefined;
}

/**
 * Arms `client` (after connect(), before authentication): a query for the proven key is
 * sent signed instead. Returns what to call once the link is ready: it records the key of
 * the last signed publickey request, if that was the last request at all, as proven.
 */
export function signProvenKeyAtOnce(client: Client, proven: ProvenKey): () => void {
  const proto = (client as unknown as { _protocol?: AuthProtocol })._protocol;
  if (!proto || typeof proto.authPK !== 'function') return () => undefined;
  const authPK = proto.authPK as AuthSend;
  let lastSigned: Buffer | undefined;
  proto.authPK = function (this: unknown, user: unknown, key: unknown, keyAlgo: unknown, cbSign: unknown): unknown {
    const k = key as KeyLike;
    const blob = typeof k?.getPublicSSH === 'function' && k.isPrivateKey?.() === true ? k.getPublicSSH() : undefined;
    lastSigned = undefined;
    if (typeof cbSign === 'function') {
      lastSigned = blob;
      return authPK.call(this, user, key, keyAlgo, cbSign);
    }
    if (blob && proven.blob?.equals(blob) && typeof k.sign === 'function') {
      lastSigned = blob;
      const sign = (data: Buffer, done: (signature: Buffer) => void) => {
        const signature = k.sign!(data, hashOf(keyAlgo));
        // The same key signed on an earlier link; should it fail now, an empty signature is
        // refused by the server and ssh2 moves on to the next method.
        done(signature instanceof Error ? Buffer.alloc(0) : signature);
      };
      return authPK.call(this, user, key, keyAlgo, sign);
    }
    return authPK.call(this, user, key, keyAlgo, cbSign);
  };
  // Any other method sent after a key: the key was not what got us in.
  for (const name of ['authPassword', 'authKeyboard', 'authNone', 'authHostbased'] as const) {
    const send = proto[name];
    if (typeof send !== 'function') continue;
    proto[name] = function (this: unknown, ...args: unknown[]): unknown {
      lastSigned = undefined;
      return (send as AuthSend).apply(this, args);
    };
  }
  return () => {
    if (lastSigned) proven.blob = lastSigned;
  };
}
