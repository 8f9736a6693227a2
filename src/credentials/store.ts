/**
 * Where `--remember` keeps secrets between runs: the CredentialStore contract. The OS
 * keychain (keyring-store.ts) and a memory stand-in (memory-store.ts) implement it;
 * open-store.ts picks one. Everything is async because a keychain is another process
 * (the Secret Service over D-Bus, the macOS keychain, Windows' credential manager).
 *
 * Accounts (one keychain item each, all under the service `stayssh`; see accounts.ts):
 *   user@host:port                      the account password (docs/BEHAVIOUR.md §6)
 *   kbd:user@host:port:<prompt>         a password-like keyboard-interactive answer
 *   passphrase:<absolute key path>      an encrypted private key's passphrase
 * A store keeps whatever string it is given: the first two are handed to it sealed with
 * the fingerprint of the host key that accepted them (envelope.ts, keychain-backing.ts).
 */

/** The keychain service name of every stayssh item (docs/BEHAVIOUR.md §6). */
export const KEYCHAIN_SERVICE = 'stayssh';

export interface CredentialStore {
  /** `keychain`: the OS keychain; `memory`: this process only. */
  readonly kind: 'keychain' | 'memory';
  /** False once the store is known not to keep secrets beyond this run. */
  readonly available: boolean;
  /** The secret of `account`, or undefined when there is none (or it cannot be read). */
  get(account: string): Promise<string | undefined>;
  /** Stores (or replaces) the secret of `account`; rejects when it could not be stored. */
  set(account: string, secret: string): Promise<void>;
  /** Deletes `account`; true when something was there. */
  delete(account: string): Promise<boolean>;
  /** Every account this store holds for stayssh (names only), for --forget. */
  accounts(): Promise<string[]>;
}
