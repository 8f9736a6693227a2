import type { SecretBacking } from '../contracts/secret-backing.js';

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

export type { SecretBacking } from '../contracts/secret-backing.js';

/**
 * Secrets of this run, kept in memory so that re-dials need no person (docs/BEHAVIOUR.md §3), and
 * optionally backed by the keychain. The life of a secret:
 *  - recall(): memory, else (once per key and run) the backing;
 *  - set(): typed by a person; held in memory, NOT stored yet (it may be a typo);
 *  - delete(): refused by the server or the key file; gone from memory, and from the
 *    backing if that is where it came from;
 *  - accepted(): the dial succeeded, so everything typed and still held was right:
 *    only now does it reach the backing.
 */
export class SecretCache {
  private readonly secrets = new Map<string, string>();
  /** Typed in this run and not yet confirmed by a successful dial. */
  private readonly typed = new Set<string>();
  /** Held because the backing had them: a rejection must erase them there too. */
  private readonly fromBacking = new Set<string>();
  /** Keys the backing was asked for already: its answer does not change within a run. */
  private readonly consulted = new Set<string>();
  private erasing: Promise<void> = Promise.resolve();

  constructor(private readonly backing?: SecretBacking) {}

  /** Memory only. */
  get(key: string): string | undefined {
    return this.secrets.get(key);
  }

  /** Memory, else the backing (asked once per key): what to try before asking a person. */
  async recall(key: string): Promise<string | undefined> {
    const held = this.secrets.get(key);
    if (held !== undefined || !this.backing || this.consulted.has(key)) return held;
    this.consulted.add(key);
    const stored = await this.backing.recall(key).catch(() => undefined);
    if (stored === undefined || this.secrets.has(key)) return this.secrets.get(key);
    this.secrets.set(key, stored);
    this.fromBacking.add(key);
    return stored;
  }

  /** A secret typed by a person: reused by re-dials, stored only once accepted(). */
  set(key: string, value: string): void {
    this.secrets.set(key, value);
    this.typed.add(key);
    this.fromBacking.delete(key);
  }

  /** A secret that was refused: forget it here, and in the backing if it came from there. */
  delete(key: string): void {
    this.secrets.delete(key);
    this.typed.delete(key);
    if (this.backing && this.fromBacking.delete(key)) {
      const backing = this.backing;
      this.erasing = this.erasing.then(() => backing.erase(key)).catch(() => undefined);
    }
  }

  /** A dial succeeded: hand what was typed (and survived) to the backing. */
  async accepted(): Promise<void> {
    await this.erasing;
    if (!this.backing) return this.typed.clear();
    const keys = [...this.typed];
    this.typed.clear();
    for (const key of keys) {
      const value = this.secrets.get(key);
      if (value !== undefined) await this.backing.keep(key, value).catch(() => undefined);
    }
  }
}
