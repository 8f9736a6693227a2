/**
 * The run's SecretCache backed by a CredentialStore: reads whatever an earlier
 * `--remember` stored; stores and notes only when this run has --remember.
 *
 * The store is opened lazily, at the first secret the run needs (a login by key or agent
 * never touches the keychain), unless the caller opens it up front to say at once that
 * --remember cannot work. At most one note per run, whatever goes wrong.
 */
import type { SecretBacking } from '../contracts/secret-backing.js';
import { keychainReason } from './keyring-store.js';
import { unreachableNote, type OpenedStore } from './open-store.js';

export interface KeychainBackingOptions {
  /** --remember: store accepted secrets, and say so when that cannot be done. */
  remember: boolean;
  open(): Promise<OpenedStore>;
  /** Prints one line on the terminal. Given no secret, ever. */
  note(text: string): void;
}

export class KeychainBacking implements SecretBacking {
  private opened: Promise<OpenedStore> | undefined;
  private noted = false;

  constructor(private readonly o: KeychainBackingOptions) {}

  /** Opens the store (once); with --remember, a missing keychain is noted here. */
  ready(): Promise<OpenedStore> {
    this.opened ??= this.o.open().then((r) => {
      if (r.unreachable !== undefined) this.noteOnce(unreachableNote(r.unreachable));
      return r;
    });
    return this.opened;
  }

  async recall(key: string): Promise<string | undefined> {
    const { store } = await this.ready();
    return store.kind === 'keychain' ? store.get(key) : undefined;
  }

  async keep(key: string, secret: string): Promise<void> {
    if (!this.o.remember) return;
    const { store } = await this.ready();
    if (store.kind !== 'keychain') return; // already noted by ready()
    try {
      await store.set(key, secret);
    } catch (err) {
      this.noteOnce(`stayssh: could not store in the OS keychain (${keychainReason(err)}); kept in memory for this run only`);
    }
  }

  async erase(key: string): Promise<void> {
    const { store } = await this.ready();
    if (store.kind !== 'keychain') return;
    await store.delete(key).catch(() => false);
  }

  private noteOnce(text: string): void {
    if (!this.o.remember || this.noted) return;
    this.noted = true;
    this.o.note(text);
  }
}
