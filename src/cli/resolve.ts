/** CliOptions + config files -> the resolved ssh_config for the destination. */
import { homedir, hostname } from 'node:os';
import { localUserName } from '../config/local-user.js';
import { join } from 'node:path';
import { parseDestination, resolveSshConfig } from '../config/ssh-config.js';
import type { ResolvedSshConfig } from '../config/types.js';
import { StaysshError } from '../errors.js';
import type { CliOptions } from './options.js';

export function resolveTarget(cli: CliOptions, env: NodeJS.ProcessEnv = process.env): ResolvedSshConfig {
  if (!cli.destination) throw new StaysshError('no destination given (usage: stayssh [options] destination [command])');
  const dest = parseDestination(cli.destination);
  const home = env['HOME'] || homedir();
  return resolveSshConfig({
    host: dest.host,
    // `ssh -G -l foo bar@host` says user foo: -l wins over user@.
    user: cli.login ?? dest.user,
    port: cli.port ?? dest.port,
    commandLine: cli.sshOptions,
    userConfigPath: cli.configFile ?? join(home, '.ssh', 'config'),
    userConfigFromFlag: cli.configFile !== undefined,
    systemConfigPath: cli.configFile === undefined ? '/etc/ssh/ssh_config' : null,
    homeDir: home,
    localUser: localUserName(),
    localHostName: hostname(),
  });
}
