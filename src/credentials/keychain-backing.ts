/**
 * The run's SecretCache backed by a CredentialStore: reads whatever an earlier
 * `--remember` stored; stores and notes only when this run has --remember.
 *
 * The store is opened lazily, at the first secret the run needs (a login by key or agent
 * never touches the keychain), unless the caller opens it up front to say at once that
 * --remember cannot work. At most one note per run, whatever goes wrong.
 *
 * Passwords and keyboard-interactive answers are stored sealed with the fingerprint of
 * the host key that accepted them, and recalled only for that key (envelope.ts,
 * docs/BEHAVIOUR.md §6); passphrases are stored bare.
 */
import type { SecretBacking } from '../contracts/secret-backing.js';
import { isHostBound } from './accounts.js';
import { isFingerprint, openSecret, sealSecret } from './envelope.js';
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

  async recall(key: string, hostKey?: string): Promise<string | undefined> {
    if (isHostBound(key) && (hostKey === undefined || !isFingerprint(hostKey))) return undefined;
    const { store } = await this.ready();
    if (store.kind !== 'keychain') return undefined;
    const stored = await store.get(key);
    if (stored === undefined || !isHostBound(key)) return stored;
    // Another key's secret, or one stored bare by an older stayssh: as if none were stored.
    return openSecret(stored, hostKey ?? '');
  }

  async keep(key: string, secret: string, hostKey?: string): Promise<void> {
    if (!this.o.remember) return;
    // Replaces whatever the item held: the last secret accepted is the one kept.
    let value = secret;
    if (isHostBound(key)) {
      if (hostKey === undefined || !isFingerprint(hostKey)) return; // never stored unbound
      value = sealSecret(secret, hostKey);
    }
    const { store } = await this.ready();
    if (store.kind !== 'keychain') return; // already noted by ready()
    try {
      await store.set(key, value);
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
