/**
 * A CredentialStore that lives as long as the process: what `--remember` falls back to
 * where no keychain is reachable, and the fake behind unit tests.
 */
import type { CredentialStore } from './store.js';

export class MemoryStore implements CredentialStore {
  readonly kind = 'memory' as const;
  /** Memory never outlives the run: nothing here is "remembered" in the sense of --remember (docs/BEHAVIOUR.md §1). */
  readonly available = false;
  private readonly items = new Map<string, string>();

  async get(account: string): Promise<string | undefined> {
    return this.items.get(account);
  }

  async set(account: string, secret: string): Promise<void> {
    this.items.set(account, secret);
  }

  async delete(account: string): Promise<boolean> {
    return this.items.delete(account);
  }

  async accounts(): Promise<string[]> {
    return [...this.items.keys()];
  }
}
