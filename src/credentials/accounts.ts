/**
 * Keychain account names. One name per secret, and the same string is the key of the
 * run's in-memory SecretCache, so a secret moves between the two without translation.
 *
 * - `user@host:port` — the password (docs/BEHAVIOUR.md §6). `host:port` is the name the
 *   server's host key is filed under in known_hosts (config/known-hosts.ts
 *   hostKeyIdentity): HostKeyAlias with port 22 when set, as OpenSSH looks the key up
 *   under the alias alone; else the resolved HostName and Port, so an ssh_config alias
 *   and the real name share one item, and two tunnels on `localhost:2222` told apart by
 *   HostKeyAlias do not.
 * - `kbd:user@host:port:<prompt>` — an answer to a password-like keyboard-interactive
 *   prompt (PAM's `Password:`). Kept apart from the password item because a server may
 *   ask several such questions, and the answers are not always the account password.
 *   One-time codes are never stored.
 * - `passphrase:<absolute path>` — a private key's passphrase. It belongs to the key
 *   file, not to a server, so every destination using that key shares it.
 *
 * A name can still reach two machines (the same name through two `-J` bastions, each
 * with its own known_hosts; a server reinstalled with a new key). So the first two kinds
 * are host-bound: their value is an envelope holding the host key fingerprint they were
 * accepted under, and they are sent only to that key (envelope.ts). Passphrases are not.
 */
import { hostKeyIdentity } from '../config/known-hosts.js';

export interface Destination {
  user: string;
  /** The host key's name: HostKeyAlias, else HostName (see above). */
  host: string;
  port: number;
}

/** The destination whose secrets a resolved host uses: the user at its host key's name. */
export function secretDestination(cfg: { user: string; hostName: string; port: number; hostKeyAlias?: string | undefined }): Destination {
  return { user: cfg.user, ...hostKeyIdentity(cfg) };
}

export function passwordAccount(d: Destination): string {
  return `${d.user}@${d.host}:${d.port}`;
}

export function kbdAccount(d: Destination, prompt: string): string {
  return `kbd:${passwordAccount(d)}:${prompt.trim()}`;
}

export function passphraseAccount(absolutePath: string): string {
  return `passphrase:${absolutePath}`;
}

/**
 * Whether the secret of `account` belongs to one server, and so is stored and sent only
 * with the host key it was accepted under: passwords and keyboard-interactive answers
 * are; a key file's passphrase is local (proven by the key itself) and is not.
 */
export function isHostBound(account: string): boolean {
  return !account.startsWith('passphrase:');
}

/** What kind of secret an account holds, for messages (never the secret itself). */
export function describeAccount(account: string): string {
  if (account.startsWith('passphrase:')) return `passphrase of ${account.slice('passphrase:'.length)}`;
  if (account.startsWith('kbd:')) return 'keyboard-interactive answer';
  return 'password';
}

/**
 * The accounts `--remember` may have written for `d`: its password, its keyboard-
 * interactive answers, and the passphrases of the keys it is configured to use.
 */
export function accountsOf(d: Destination, keyPaths: readonly string[], held: readonly string[]): string[] {
  const password = passwordAccount(d);
  const kbdPrefix = `kbd:${password}:`;
  const passphrases = new Set(keyPaths.map(passphraseAccount));
  return held.filter((a) => a === password || a.startsWith(kbdPrefix) || passphrases.has(a));
}
