/**
 * Choosing the CredentialStore of a run: the OS keychain when one answers, memory
 * otherwise (a headless Linux has no Secret Service). Never throws, never waits longer
 * than one keychain deadline.
 */
import { MemoryStore } from './memory-store.js';
import { KEYCHAIN_CALL_TIMEOUT_MS, KeyringStore, keychainReason, napiKeyringBackend, type KeyringBackend } from './keyring-store.js';
import type { CredentialStore } from './store.js';

export interface OpenedStore {
  store: CredentialStore;
  /** Set when no keychain is reachable: why, in a few words ("no Secret Service"). */
  unreachable?: string;
}

export interface OpenStoreOptions {
  /** Default: @napi-rs/keyring. */
  backend?: () => Promise<KeyringBackend>;
  timeoutMs?: number;
}

export async function openCredentialStore(o: OpenStoreOptions = {}): Promise<OpenedStore> {
  let backend: KeyringBackend;
  try {
    backend = await (o.backend ?? napiKeyringBackend)();
  } catch (err) {
    // No prebuilt binary for this platform: a keychain we cannot speak to.
    return { store: new MemoryStore(), unreachable: `cannot load @napi-rs/keyring: ${keychainReason(err)}` };
  }
  const store = new KeyringStore(backend, o.timeoutMs ?? KEYCHAIN_CALL_TIMEOUT_MS);
  try {
    await store.probe();
    return { store };
  } catch (err) {
    return { store: new MemoryStore(), unreachable: keychainReason(err) };
  }
}

/** The one note of a run whose --remember cannot reach a keychain. */
export function unreachableNote(reason: string): string {
  return `stayssh: no OS keychain reachable (${reason}); --remember keeps secrets in memory for this run only`;
}
