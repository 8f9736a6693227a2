/**
 * Where secrets live beyond the run (the OS keychain with --remember). Implemented in
 * src/credentials; the transport only sees this shape. Every method resolves, never
 * rejects: a keychain that fails is a keychain that does not remember.
 */
export interface SecretBacking {
  /** The stored secret of `key`, or undefined. */
  recall(key: string): Promise<string | undefined>;
  /** A secret a server (or a key file) accepted: store it, if storing is wanted. */
  keep(key: string, secret: string): Promise<void>;
  /** A stored secret that turned out wrong: delete it. */
  erase(key: string): Promise<void>;
}
