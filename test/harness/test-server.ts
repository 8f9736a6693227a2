// What every harness SSH server offers, the real sshd (sshd.ts) and the in-process ssh2
// one (ssh2-server.ts) alike, so clientArgs() and the fixtures take either.

export interface TestServer {
  readonly kind: 'sshd' | 'ssh2';
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** The login password, or null when unknown (sshd not running as root). */
  readonly password: string | null;
  /** Unencrypted ed25519 private key authorized for `user` (mode 0600). */
  readonly clientKeyPath: string;
  /** The (first) host key, one OpenSSH line: "ssh-ed25519 AAAA... comment". */
  readonly hostKeyPub: string;
  /** A known_hosts file listing the host key(s) as first served (not updated on restart). */
  readonly knownHostsPath: string;
  /** known_hosts line(s) for the current host key(s), one per key, '\n'-joined. */
  knownHostsLine(hostAlias?: string, port?: number): string;
  /** Stops the server and removes everything it created; safe to call twice. */
  close(): Promise<void>;
}
