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

/** One secret held by the run, and the host key it belongs to (none for passphrases). */
interface Held {
  key: string;
  hostKey: string | undefined;
  value: string;
}

/**
 * Secrets of this run, kept in memory so that re-dials need no person (docs/BEHAVIOUR.md §3), and
 * optionally backed by the keychain. The life of a secret:
 *  - recall(): memory, else (once per key and run) the backing;
 *  - set(): typed by a person; held in memory, NOT stored yet (it may be a typo);
 *  - delete(): refused by the server or the key file; gone from memory, and from the
 *    backing if that is where it came from;
 *  - accepted(): the dial succeeded, so everything typed and still held was right:
 *    only now does it reach the backing.
 *
 * Every call names the host key the secret is for (`hostKey`, the SHA256 fingerprint of
 * the key verified on the connection; undefined for key passphrases, which belong to no
 * server). A secret is held per key AND host key: one typed for one server's key is never
 * recalled for another key filed under the same name (docs/BEHAVIOUR.md §6), in memory
 * as in the keychain, where it is stored with that fingerprint.
 */
export class SecretCache {
  private readonly secrets = new Map<string, Held>();
  /** Typed in this run and not yet confirmed by a successful dial. */
  private readonly typed = new Set<string>();
  /** Held because the backing had them: a rejection must erase them there too. */
  private readonly fromBacking = new Set<string>();
  /** Slots the backing was asked for already: its answer does not change within a run. */
  private readonly consulted = new Set<string>();
  private erasing: Promise<void> = Promise.resolve();

  constructor(private readonly backing?: SecretBacking) {}

  /** Memory only. */
  get(key: string, hostKey?: string): string | undefined {
    return this.secrets.get(slot(key, hostKey))?.value;
  }

  /** Memory, else the backing (asked once per key and host key): what to try before asking a person. */
  async recall(key: string, hostKey?: string): Promise<string | undefined> {
    const at = slot(key, hostKey);
    const held = this.secrets.get(at)?.value;
    if (held !== undefined || !this.backing || this.consulted.has(at)) return held;
    this.consulted.add(at);
    const stored = await this.backing.recall(key, hostKey).catch(() => undefined);
    if (stored === undefined || this.secrets.has(at)) return this.secrets.get(at)?.value;
    this.secrets.set(at, { key, hostKey, value: stored });
    this.fromBacking.add(at);
    return stored;
  }

  /** A secret typed by a person: reused by re-dials, stored only once accepted(). */
  set(key: string, value: string, hostKey?: string): void {
    const at = slot(key, hostKey);
    this.secrets.set(at, { key, hostKey, value });
    this.typed.add(at);
    this.fromBacking.delete(at);
  }

  /** A secret that was refused: forget it here, and in the backing if it came from there. */
  delete(key: string, hostKey?: string): void {
    const at = slot(key, hostKey);
    this.secrets.delete(at);
    this.typed.delete(at);
    if (this.backing && this.fromBacking.delete(at)) {
      const backing = this.backing;
      this.erasing = this.erasing.then(() => backing.erase(key)).catch(() => undefined);
    }
  }

  /** A dial succeeded: hand what was typed (and survived) to the backing, with its host key. */
  async accepted(): Promise<void> {
    await this.erasing;
    if (!this.backing) return this.typed.clear();
    const slots = [...this.typed];
    this.typed.clear();
    for (const at of slots) {
      const held = this.secrets.get(at);
      if (held !== undefined) await this.backing.keep(held.key, held.value, held.hostKey).catch(() => undefined);
    }
  }
}

/** Where a secret is held in memory: its key and host key, unambiguously. */
function slot(key: string, hostKey: string | undefined): string {
  return JSON.stringify([key, hostKey ?? null]);
}
