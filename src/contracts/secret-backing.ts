/**
 * Where secrets live beyond the run (the OS keychain with --remember). Implemented in
 * src/credentials; the transport only sees this shape. Every method resolves, never
 * rejects: a keychain that fails is a keychain that does not remember.
 *
 * `hostKey` is the SHA256 fingerprint (`SHA256:...`, as ssh prints it) of the host key
 * verified on the connection the secret is for. A host-bound secret (a password, a
 * keyboard-interactive answer) is kept together with it and recalled only with the same
 * one (docs/BEHAVIOUR.md §6); without one, such a secret is neither recalled nor kept.
 * Secrets bound to no server (key passphrases) take none.
 */
export interface SecretBacking {
  /** The stored secret of `key`, or undefined (also when stored under another host key). */
  recall(key: string, hostKey?: string): Promise<string | undefined>;
  /** A secret a server (or a key file) accepted: store it, if storing is wanted. */
  keep(key: string, secret: string, hostKey?: string): Promise<void>;
  /** A stored secret that turned out wrong: delete it. */
  erase(key: string): Promise<void>;
}
