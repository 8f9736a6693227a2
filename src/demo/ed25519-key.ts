/**
 * A fresh ed25519 key pair in OpenSSH format, for the embedded server (`--demo`, and the
 * tests' servers): its host key and the client key it lets in.
 *
 * ssh2 1.17's `utils.generateKeyPairSync('ed25519')` strips leading zero bytes from the
 * public key (lib/keygen.js, mscdex/ssh2#1513, #1390), so about 1 key in 256 comes out
 * 31 bytes long and ssh2's own `parseKey` refuses it ("Malformed OpenSSH private key"):
 * the demo failed to start once in ~128 runs. Keys are checked and drawn again.
 */
import ssh2 from '../transport/ssh2.js';

export interface KeyPair {
  /** OpenSSH private key (PEM text). */
  private: string;
  /** `ssh-ed25519 BASE64 [comment]`, as in authorized_keys. */
  public: string;
}

/** Draws this many keys at most: all of them malformed is a 1-in-2^128 event, or a new bug. */
const MAX_DRAWS = 16;

export function generateEd25519(comment?: string): KeyPair {
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', comment === undefined ? {} : { comment });
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error) && !(ssh2.utils.parseKey(pair.public) instanceof Error)) return pair;
  }
  throw new Error(`ssh2 generated ${MAX_DRAWS} ed25519 keys it cannot parse itself`);
}
