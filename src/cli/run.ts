/**
 * Mode dispatch: a completion script, demo, list/kill, forwards only, interactive session, or a command. Each
 * mode's runner is imported when chosen: loading all of them (the demo's server, the
 * interactive session, the stream client) took ~50 ms of every start, for one used.
 */
import { validateSessionName } from '../config/stayssh-config.js';
import type { ResolvedSshConfig } from '../config/types.js';
import { makeConnector } from '../transport/connector.js';
import { makeHopResolver } from '../transport/jump.js';
import { ForwardManager } from '../forward/manager.js';
import { algorithmList, DEFAULTS } from '../transport/algorithms.js';
import { logFileSink, makeLogger } from './logger.js';
import { queryLines } from './openssh-flags.js';
import { configLines } from './print-config.js';
import { parseArgs } from './parse-args.js';
import { buildProgram } from './program.js';
import type { CliOptions } from './options.js';
import { resolveTarget } from './resolve.js';
import { ttyPrompter } from './tty-prompter.js';
import { forgetSecrets, openSecrets } from './secrets-setup.js';
import { withStaysshConfig } from './stayssh-options.js';

/** ssh's pty decision: -T never, -tt always, -t with a local tty, else only for a shell. */
function wantsTerminal(cli: CliOptions, cfg: ResolvedSshConfig, warn: (t: string) => void): boolean {
  const hasCommand = cli.command.length > 0;
  // -n: stdin is /dev/null, never a terminal.
  const stdinTty = !cli.stdinNull && process.stdin.isTTY === true;
  const request = cli.disableTty ? 'no' : cli.forceTty >= 2 ? 'force' : cli.forceTty === 1 ? 'yes' : cfg.requestTTY;
  if (request === 'yes' && !stdinTty) warn('Pseudo-terminal will not be allocated because stdin is not a terminal.');
  return request === 'force' || (request === 'yes' && stdinTty) || (request === 'auto' && !hasCommand && stdinTty);
}

/** -c and -m: ssh2's lists for the spec given, or bad input (one line, 255). */
function withAlgorithms(cfg: ResolvedSshConfig, cli: CliOptions): ResolvedSshConfig {
  const result = { ...cfg };
  if (cli.cipherSpec !== undefined) result.ciphers = algorithmList('cipher', cli.cipherSpec);
  if (cli.macSpec !== undefined) result.macs = algorithmList('mac', cli.macSpec);
  return result;
}

export async function run(argv: string[], version: string): Promise<number> {
  const given = parseArgs(argv, version);
  // ssh -V: the version on stderr, whatever else the line says.
  if (given.printVersion) {
    process.stderr.write(`stayssh ${version}\n`);
    return 0;
  }
  if (given.query !== undefined) {
    process.stdout.write(queryLines(given.query).map((l) => `${l}\n`).join(''));
    return 0;
  }
  if (given.completion !== undefined) {
    const { completionScript } = await import('./completion.js');
    process.stdout.write(completionScript(given.completion, buildProgram(version)));
    return 0;
  }
  if (given.demo) return (await import('./run-demo.js')).runDemo(given);
  if (given.session !== undefined) validateSessionName(given.session);
  for (const name of given.kill ?? []) validateSessionName(name);
  const cfg = withAlgorithms(resolveTarget(given), given);
  if (given.printConfig) {
    process.stdout.write(configLines(cfg, { ciphers: DEFAULTS.cipher, macs: DEFAULTS.mac }).map((l) => `${l}\n`).join(''));
    return 0;
  }
  const cli = withStaysshConfig(given, cfg.originalHost);
  const sink = cli.logFile !== undefined ? logFileSink(cli.logFile) : process.stderr;
  const log = makeLogger(sink, cli.quiet || cfg.logLevel.toUpperCase() === 'QUIET', cli.verbose);
  for (const k of cfg.ignoredKeywords) log.debug(`ignoring unsupported option ${k}`);
  if (cli.forget) return forgetSecrets(cfg);
  const connector = makeConnector(cfg, {
    prompter: ttyPrompter,
    secrets: await openSecrets(cli, cfg, log),
    env: process.env,
    warn: (t) => log.warn(t),
    debug: cli.verbose > 2 ? (l) => log.debug(l) : undefined,
    resolveHop: makeHopResolver({ configFile: cli.configFile, env: process.env }),
  });
  if (cli.list || cli.kill !== undefined) return (await import('./run-manage.js')).runManage(cli, connector);

  // -L/-R/-D: listeners bound now and kept across reconnects; ExitOnForwardFailure checks.
  const forwards = new ForwardManager({ config: cfg, warn: (t) => log.warn(t), notice: (t) => log.info(t) });
  await forwards.start();
  const linked = forwards.guardFirstLink(connector);
  const command = cli.command.length > 0 ? cli.command.join(' ') : undefined;

  if (cli.noCommand) return (await import('./run-command.js')).runForwardsOnly(cli, cfg, linked, log, forwards);
  if (wantsTerminal(cli, cfg, (t) => log.warn(t))) {
    return (await import('./run-interactive.js')).runInteractive({ cli, cfg, connector: linked, log, command, linkHooks: forwards });
  }
  // No terminal: stream mode, for a command or (`ssh -T host`, `cmds | ssh host`) the login shell.
  return (await import('./run-command.js')).runStreamCommand(cli, cfg, linked, log, command ?? '', forwards);
}
