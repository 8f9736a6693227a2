/**
 * POSIX shell quoting for everything stayssh sends to a remote shell (docs/BEHAVIOUR.md §7: names and
 * commands reach the remote shell only quoted).
 *
 * Single quotes are the only quoting every shell we may meet agrees on: inside them sh,
 * bash, zsh and dash take every byte literally. A single quote itself is written as
 * `'\''` (close, backslash-escaped quote, reopen). That backslash sits outside the quotes,
 * where fish and csh also read `\'` as a literal quote, so the result survives them too.
 */

/** Quote one word so that any POSIX shell reads it back as exactly `s`. */
export function shQuote(s: string): string {
  // Words made only of characters no shell treats specially need no quotes: keeps the
  // command lines readable in logs (`-v`) and a few bytes shorter.
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Quote each word and join them with spaces: one shell command line. */
export function shJoin(args: readonly string[]): string {
  return args.map(shQuote).join(' ');
}
