/**
 * Merges ~/.config/stayssh/config (docs/BEHAVIOUR.md §6, Host blocks) under the command line: a value
 * given as a flag wins, the file fills in what was not given.
 */
import { homedir } from 'node:os';
import { loadStaysshConfig, staysshConfigPath } from '../config/stayssh-config.js';
import type { CliOptions } from './options.js';

export function withStaysshConfig(cli: CliOptions, host: string, env: NodeJS.ProcessEnv = process.env): CliOptions {
  const home = env['HOME'] || homedir();
  const file = loadStaysshConfig(host, staysshConfigPath(env, home), home);
  return {
    ...cli,
    session: cli.session ?? file.session,
    mux: cli.mux ?? file.mux,
    maxAttempts: cli.maxAttempts ?? file.maxAttempts,
    giveUpAfterMs: cli.giveUpAfterMs ?? file.giveUpAfterMs,
    backoffMaxMs: cli.backoffMaxMs ?? file.backoffMaxMs,
    onDisconnect: cli.onDisconnect ?? file.onDisconnect,
    onReconnect: cli.onReconnect ?? file.onReconnect,
    onGiveUp: cli.onGiveUp ?? file.onGiveUp,
    events: cli.events ?? file.events,
    remember: cli.remember || file.remember === true,
    sessionIdleExpiryMs: file.sessionIdleExpiryMs,
  };
}
