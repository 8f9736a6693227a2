/**
 * The OS keychain as a CredentialStore, on @napi-rs/keyring (service `stayssh`, docs/BEHAVIOUR.md §6):
 * the Secret Service over D-Bus on Linux (gnome-keyring, KWallet), the Keychain on macOS,
 * the Credential Manager on Windows.
 *
 * What the library does that shapes this file (measured with 1.3.0 on Linux):
 * - Every call may block forever: a D-Bus address whose socket accepts and never answers
 *   hangs getPassword/findCredentials indefinitely (the AbortSignal does not help once
 *   the call runs). So every call has a deadline, and after one missed deadline the
 *   keychain is considered stuck for the rest of the run: each hung call holds one of
 *   libuv's four pool threads, which DNS lookups for re-dials need too.
 * - Without a Secret Service it silently falls back to the kernel keyring (keyutils):
 *   getPassword answers "nothing stored" and setPassword then fails (or, where keyutils
 *   is allowed, stores a secret that a reboot loses). findCredentialsAsync speaks to the
 *   Secret Service directly and fails when there is none, so it is the reachability probe.
 * - A missing entry reads as null, not as an error.
 * - Error messages span many lines (a Rust backtrace); only the first is worth showing.
 */
import { KEYCHAIN_SERVICE, type CredentialStore } from './store.js';

/**
 * Deadline of one keychain call, ms. Secret Service calls take ~10 ms here, the first one
 * ~60 ms when D-Bus has to start gnome-keyring; past 2 s the keychain is not answering,
 * and the login should not wait on it any longer.
 */
export const KEYCHAIN_CALL_TIMEOUT_MS = 2_000;

/** A service no item is ever stored under: probing it reads no secret. */
const PROBE_SERVICE = 'stayssh-probe';

/** The parts of @napi-rs/keyring we use, injectable so that tests can fake the keychain. */
export interface KeyringBackend {
  /** Rejects when no keychain answers (on Linux: no Secret Service on the session bus). */
  probe(): Promise<void>;
  get(service: string, account: string): Promise<string | undefined>;
  set(service: string, account: string, secret: string): Promise<void>;
  delete(service: string, account: string): Promise<boolean>;
  list(service: string): Promise<string[]>;
}

/** The real backend; the native module is loaded only when a keychain is wanted. */
export async function napiKeyringBackend(): Promise<KeyringBackend> {
  const kr = await import('@napi-rs/keyring');
  return {
    probe: async () => {
      await kr.findCredentialsAsync(PROBE_SERVICE);
    },
    get: async (service, account) => (await new kr.AsyncEntry(service, account).getPassword()) ?? undefined,
    set: (service, account, secret) => new kr.AsyncEntry(service, account).setPassword(secret),
    delete: (service, account) => new kr.AsyncEntry(service, account).deleteCredential(),
    list: async (service) => (await kr.findCredentialsAsync(service)).map((c) => c.account),
  };
}

/** One line a person can read, from a keychain error (never contains a secret: we pass none in). */
export function keychainReason(err: unknown): string {
  const first = String((err as Error)?.message ?? err).split('\n')[0] ?? '';
  const text = first.replace(/^Couldn't access platform storage:\s*/i, '').trim();
  if (/no secret service provider or dbus session|ServiceUnknown|org\.freedesktop\.secrets/i.test(text)) return 'no Secret Service';
  return text || 'unknown error';
}

export class KeychainTimeout extends Error {
  constructor(what: string, ms: number) {
    super(`the keychain did not answer within ${ms / 1000}s (${what})`);
    this.name = 'KeychainTimeout';
  }
}

export class KeyringStore implements CredentialStore {
  readonly kind = 'keychain' as const;
  /** Why the keychain is no longer used in this run, once a call missed its deadline. */
  private stuck: string | undefined;

  constructor(
    private readonly backend: KeyringBackend,
    private readonly timeoutMs: number = KEYCHAIN_CALL_TIMEOUT_MS,
  ) {}

  get available(): boolean {
    return this.stuck === undefined;
  }

  /** Resolves when the keychain answers; rejects (with a reason) when it does not. */
  probe(): Promise<void> {
    return this.call('probe', () => this.backend.probe());
  }

  async get(account: string): Promise<string | undefined> {
    try {
      return await this.call('read', () => this.backend.get(KEYCHAIN_SERVICE, account));
    } catch {
      return undefined; // unreadable is as good as absent: the person is asked instead
    }
  }

  set(account: string, secret: string): Promise<void> {
    return this.call('store', () => this.backend.set(KEYCHAIN_SERVICE, account, secret));
  }

  delete(account: string): Promise<boolean> {
    return this.call('delete', () => this.backend.delete(KEYCHAIN_SERVICE, account));
  }

  accounts(): Promise<string[]> {
    return this.call('list', () => this.backend.list(KEYCHAIN_SERVICE));
  }

  private call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.stuck !== undefined) return Promise.reject(new Error(this.stuck));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const err = new KeychainTimeout(what, this.timeoutMs);
        this.stuck = err.message;
        reject(err);
      }, this.timeoutMs);
      let started: Promise<T>;
      try {
        started = fn();
      } catch (err) {
        started = Promise.reject(err);
      }
      started.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }
}
