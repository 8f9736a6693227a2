/**
 * Private keys from IdentityFile: read, decrypt (asking for the passphrase once per run,
 * then kept in memory, and in the keychain with --remember), and skipped with a warning
 * when unusable, as OpenSSH does. A passphrase is proven by the key itself: one that
 * decrypts it is right whatever the server thinks of the key; one from the keychain that
 * does not is erased there.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import ssh2 from './ssh2.js';
import type { ParsedKey } from 'ssh2';
import type { Prompter, SecretCache } from './prompter.js';
import { passphraseAccount } from '../credentials/accounts.js';

const { utils } = ssh2;

/** OpenSSH asks three times before giving up on a key's passphrase. */
const PASSPHRASE_TRIES = 3;

export interface IdentitySource {
  path: string;
  /** From IdentityFile/-i: a missing file is worth a warning. Defaults are silent. */
  explicit: boolean;
}

export interface LoadContext {
  prompter: Prompter | undefined;
  secrets: SecretCache;
  warn(text: string): void;
}

function isEncryptedKeyError(err: Error): boolean {
  return /passphrase|encrypted/i.test(err.message);
}

function parse(data: Buffer, passphrase?: string): ParsedKey | Error {
  const key = utils.parseKey(data, passphrase);
  return Array.isArray(key) ? (key[0] as ParsedKey) : key;
}

/**
 * OpenSSH's sshkey_perm_ok(): a key file of ours that others may read is not used, with
 * OpenSSH's own warning (docs/BEHAVIOUR.md §7: a security setting is never silently
 * weakened). Files owned by someone else (root's shared keys) are not judged, as in ssh.
 */
function permissionsOk(path: string, ctx: LoadContext): boolean {
  let st;
  try {
    st = statSync(path);
  } catch {
    return true; // read a moment ago: the read is what decides
  }
  if (st.uid !== process.getuid?.() || (st.mode & 0o077) === 0) return true;
  const bar = '@'.repeat(59);
  ctx.warn(
    [
      bar,
      '@         WARNING: UNPROTECTED PRIVATE KEY FILE!          @',
      bar,
      `Permissions 0${(st.mode & 0o777).toString(8)} for '${path}' are too open.`,
      'It is required that your private key files are NOT accessible by others.',
      'This private key will be ignored.',
    ].join('\n'),
  );
  return false;
}

/** Loads one private key, or returns undefined (with a warning where OpenSSH gives one). */
export async function loadIdentity(source: IdentitySource, ctx: LoadContext): Promise<ParsedKey | undefined> {
  let data: Buffer;
  try {
    data = readFileSync(source.path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (source.explicit) {
      ctx.warn(`Warning: Identity file ${source.path} not accessible: ${code === 'ENOENT' ? 'No such file or directory' : code}.`);
    }
    return undefined;
  }
  if (!permissionsOk(source.path, ctx)) return undefined;
  const plain = parse(data);
  if (!(plain instanceof Error)) return plain;
  if (!isEncryptedKeyError(plain)) {
    ctx.warn(`Warning: cannot use identity file ${source.path}: ${plain.message}`);
    return undefined;
  }
  // Absolute, so that the keychain item does not depend on the directory stayssh ran in.
  const cacheKey = passphraseAccount(resolve(source.path));
  const cached = await ctx.secrets.recall(cacheKey);
  if (cached !== undefined) {
    const key = parse(data, cached);
    if (!(key instanceof Error)) return key;
    ctx.secrets.delete(cacheKey);
  }
  if (!ctx.prompter) return undefined;
  for (let i = 0; i < PASSPHRASE_TRIES; i++) {
    const passphrase = await ctx.prompter.secret(`Enter passphrase for key '${source.path}': `);
    if (passphrase === '') return undefined; // OpenSSH: an empty answer skips the key
    const key = parse(data, passphrase);
    if (!(key instanceof Error)) {
      ctx.secrets.set(cacheKey, passphrase);
      return key;
    }
    ctx.warn('Bad passphrase, try again.');
  }
  return undefined;
}

/** The public half of a key file, for IdentitiesOnly filtering of agent keys. */
export function publicBlobOf(path: string): Buffer | undefined {
  for (const candidate of [`${path}.pub`, path]) {
    try {
      const key = parse(readFileSync(candidate));
      if (!(key instanceof Error)) return key.getPublicSSH();
    } catch {
      // unreadable: try the next candidate
    }
  }
  return undefined;
}
