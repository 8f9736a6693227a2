/**
 * How the transport asks a person for something. The CLI passes a terminal-backed
 * implementation; BatchMode and tests pass one that refuses or answers from a script.
 */
export interface Prompter {
  /** A secret, typed without echo (password, passphrase, one-time code). */
  secret(question: string): Promise<string>;
  /** OpenSSH's host key question: yes, no, or the fingerprint typed back. */
  confirmHostKey(question: string): Promise<'yes' | 'no' | { fingerprint: string }>;
  /** A visible line of text (keyboard-interactive prompts that echo). */
  line(question: string): Promise<string>;
}

/** Secrets typed in this run, kept in memory so that re-dials need no person (SPEC §3). */
export class SecretCache {
  private readonly secrets = new Map<string, string>();

  get(key: string): string | undefined {
    return this.secrets.get(key);
  }

  set(key: string, value: string): void {
    this.secrets.set(key, value);
  }

  delete(key: string): void {
    this.secrets.delete(key);
  }
}
