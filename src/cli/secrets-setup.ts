/**
 * The run's secret cache (docs/BEHAVIOUR.md §3: secrets typed once are reused by re-dials) backed by
 * the OS keychain: what an earlier `--remember` stored is used without asking, and with
 * `--remember` what the server accepts in this run is stored (credentials/, issue 7).
 * Also `--forget`: deletes what --remember stored for the destination, without connecting.
 */
import { resolve } from 'node:path';
import type { ResolvedSshConfig } from '../config/types.js';
import { accountsOf, describeAccount, passwordAccount, secretDestination } from '../credentials/accounts.js';
import { KeychainBacking } from '../credentials/keychain-backing.js';
import { keychainReason } from '../credentials/keyring-store.js';
import { openCredentialStore, type OpenedStore } from '../credentials/open-store.js';
import { StaysshError } from '../errors.js';
import { SecretCache } from '../transport/prompter.js';
import type { Logger } from './logger.js';
import type { CliOptions } from './options.js';

/** How the keychain is opened; tests pass a fake. */
export type StoreOpener = () => Promise<OpenedStore>;

export async function openSecrets(
  cli: Pick<CliOptions, 'remember'>,
  _cfg: ResolvedSshConfig,
  log: Pick<Logger, 'warn'>,
  open: StoreOpener = () => openCredentialStore(),
): Promise<SecretCache> {
  const backing = new KeychainBacking({ remember: cli.remember, open, note: (t) => log.warn(t) });
  // With --remember, say before any prompt that nothing will be remembered, if so.
  if (cli.remember) await backing.ready();
  return new SecretCache(backing);
}

/**
 * `--forget`: deletes the destination's password, its keyboard-interactive answers and
 * the passphrases of the keys it uses (see credentials/accounts.ts), prints one line
 * saying what went, and returns the exit status (0). Never connects. The items are those
 * a login would use: under HostKeyAlias when one is set (docs/BEHAVIOUR.md §6), whatever
 * host key they are bound to.
 */
export async function forgetSecrets(
  cfg: Pick<ResolvedSshConfig, 'user' | 'hostName' | 'port' | 'identityFiles' | 'hostKeyAlias'>,
  out: { write(s: string): unknown } = process.stdout,
  open: StoreOpener = () => openCredentialStore(),
): Promise<number> {
  const dest = secretDestination(cfg);
  const name = passwordAccount(dest);
  const { store, unreachable } = await open();
  if (unreachable !== undefined) {
    out.write(`stayssh: no OS keychain reachable (${unreachable}); nothing stored for ${name}\n`);
    return 0;
  }
  try {
    const doomed = accountsOf(dest, cfg.identityFiles.map((p) => resolve(p)), await store.accounts());
    const removed: string[] = [];
    for (const account of doomed) if (await store.delete(account)) removed.push(describeAccount(account));
    out.write(removed.length > 0 ? `stayssh: forgot ${removed.join(', ')} for ${name}\n` : `stayssh: nothing stored for ${name}\n`);
    return 0;
  } catch (err) {
    throw new StaysshError(`cannot update the OS keychain: ${keychainReason(err)}`);
  }
}
