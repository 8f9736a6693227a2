/**
 * Keychain account names. One name per secret, and the same string is the key of the
 * run's in-memory SecretCache, so a secret moves between the two without translation.
 *
 * - `user@host:port` — the password (docs/BEHAVIOUR.md §6). `host` is the resolved HostName, so an
 *   ssh_config alias and the real name share one item.
 * - `kbd:user@host:port:<prompt>` — an answer to a password-like keyboard-interactive
 *   prompt (PAM's `Password:`). Kept apart from the password item because a server may
 *   ask several such questions, and the answers are not always the account password.
 *   One-time codes are never stored.
 * - `passphrase:<absolute path>` — a private key's passphrase. It belongs to the key
 *   file, not to a server, so every destination using that key shares it.
 */
export interface Destination {
  user: string;
  host: string;
  port: number;
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
