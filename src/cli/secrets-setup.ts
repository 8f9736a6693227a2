/**
 * The run's secret cache (SPEC §3: secrets typed once are reused by re-dials) and, with
 * --remember, its backing in the OS keychain (issue 7 builds the keychain part).
 */
import type { ResolvedSshConfig } from '../config/types.js';
import { SecretCache } from '../transport/prompter.js';
import type { Logger } from './logger.js';
import type { CliOptions } from './options.js';

export async function openSecrets(_cli: CliOptions, _cfg: ResolvedSshConfig, _log: Logger): Promise<SecretCache> {
  return new SecretCache();
}
