/** Mode dispatch: list, kill, interactive session, or a command without a terminal. */
import { validateSessionName } from '../config/stayssh-config.js';
import type { ResolvedSshConfig } from '../config/types.js';
import { StaysshError } from '../errors.js';
import { makeConnector, type Connector } from '../transport/connector.js';
import { DialError } from '../transport/dial.js';
import { makeHopResolver } from '../transport/jump.js';
import { ForwardManager } from '../forward/manager.js';
import { runForwardOnly } from '../forward/forward-only.js';
import type { LinkHooks } from '../session/link-hooks.js';
import { EventSink } from '../session/event-sink.js';
import { InteractiveSession } from '../session/interactive.js';
import { formatSessionTable, killSession, listSessions } from '../session/manage.js';
import { generateSessionName } from '../session/names.js';
import { runPlainCommand } from '../session/plain-command.js';
import { runStream } from '../stream/stream-session.js';
import { defaultPolicy } from '../session/policy.js';
import { systemClock } from '../session/clock.js';
import { watchNetwork } from '../session/watchers/index.js';
import { processTerminal } from '../terminal/process-terminal.js';
import { makeLogger, type Logger } from './logger.js';
import { parseArgs } from './parse-args.js';
import type { CliOptions } from './options.js';
import { resolveTarget } from './resolve.js';
import { localeEnv, requestedEnv } from './session-env.js';
import { ttyPrompter } from './tty-prompter.js';
import { forgetSecrets, openSecrets } from './secrets-setup.js';
import { withStaysshConfig } from './stayssh-options.js';
import { runDemo } from './run-demo.js';

/** SPEC §3: stayssh's liveness defaults when neither ServerAlive option is set. */
const DEFAULT_ALIVE_INTERVAL_S = 5;
const DEFAULT_ALIVE_COUNT_MAX = 2;
/** OpenSSH's ServerAliveCountMax default, used when only the interval is set. */
const OPENSSH_ALIVE_COUNT_MAX = 3;

function livenessFrom(cfg: ResolvedSshConfig): { intervalMs: number; countMax: number } {
  if (!cfg.serverAliveIntervalSet && !cfg.serverAliveCountMaxSet) {
    return { intervalMs: DEFAULT_ALIVE_INTERVAL_S * 1000, countMax: DEFAULT_ALIVE_COUNT_MAX };
  }
  const interval = cfg.serverAliveIntervalSet && cfg.serverAliveInterval > 0 ? cfg.serverAliveInterval : DEFAULT_ALIVE_INTERVAL_S;
  const count = cfg.serverAliveCountMaxSet ? cfg.serverAliveCountMax : OPENSSH_ALIVE_COUNT_MAX;
  return { intervalMs: interval * 1000, countMax: Math.max(1, count) };
}

async function firstDial(connector: Connector) {
  try {
    return await connector.dial(true);
  } catch (err) {
    if (err instanceof DialError) throw new StaysshError(err.failure.message);
    throw err;
  }
}

export async function run(argv: string[], version: string): Promise<number> {
  const given = parseArgs(argv, version);
  if (given.demo) return runDemo(given);
  if (given.session !== undefined) validateSessionName(given.session);
  if (given.kill !== undefined) validateSessionName(given.kill);
  const cfg = resolveTarget(given);
  const cli = withStaysshConfig(given, cfg.originalHost);
  const log = makeLogger(process.stderr, cli.quiet || cfg.logLevel.toUpperCase() === 'QUIET', cli.verbose);
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

  if (cli.list || cli.kill !== undefined) return manage(cli, connector);
  // -L/-R/-D: listeners bound now and kept across reconnects; ExitOnForwardFailure checks.
  const forwards = new ForwardManager({ config: cfg, warn: (t) => log.warn(t), notice: (t) => log.info(t) });
  await forwards.start();
  const linked = forwards.guardFirstLink(connector);

  const hasCommand = cli.command.length > 0;
  const command = cli.command.join(' ');
  const stdinTty = process.stdin.isTTY === true;
  const request = cli.disableTty ? 'no' : cli.forceTty >= 2 ? 'force' : cli.forceTty === 1 ? 'yes' : cfg.requestTTY;
  const wantTty = request === 'force' || (request === 'yes' && stdinTty) || (request === 'auto' && !hasCommand && stdinTty);
  if (request === 'yes' && !stdinTty) log.warn('Pseudo-terminal will not be allocated because stdin is not a terminal.');

  if (cli.noCommand) return forwardOnly(cli, cfg, linked, log, forwards);
  if (wantTty) return interactive(cli, cfg, linked, log, hasCommand ? command : undefined, true, forwards);

  if (!hasCommand) return loginShellWithoutTty(connector, cfg);
  return stream(cli, cfg, linked, log, command, forwards);
}

function eventSink(cli: CliOptions, cfg: ResolvedSshConfig, log: Logger, name: string): EventSink {
  return new EventSink({
    eventsFile: cli.events,
    hooks: { onDisconnect: cli.onDisconnect, onReconnect: cli.onReconnect, onGiveUp: cli.onGiveUp },
    host: cfg.originalHost,
    port: cfg.port,
    user: cfg.user,
    session: name,
    warn: (t) => log.warn(t),
  });
}

function policyFrom(cli: CliOptions) {
  return defaultPolicy({ maxAttempts: cli.maxAttempts, giveUpAfterMs: cli.giveUpAfterMs, backoffMaxMs: cli.backoffMaxMs });
}

/** A command without a terminal: stream mode, every byte exactly once across re-dials. */
async function stream(cli: CliOptions, cfg: ResolvedSshConfig, connector: Connector, log: Logger, command: string, linkHooks?: LinkHooks): Promise<number> {
  const name = cli.session ?? generateSessionName();
  const sink = eventSink(cli, cfg, log, name);
  try {
    return await runStream({
      connector,
      linkHooks,
      name,
      command,
      env: requestedEnv(cfg, process.env),
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      liveness: livenessFrom(cfg),
      policy: policyFrom(cli),
      onEvent: (e) => sink.emit(e),
      watchNetwork: watchNetwork(cfg.hostName),
      warn: (t) => log.warn(t),
      onInterrupt: (handler) => {
        process.on('SIGINT', handler);
        return () => process.off('SIGINT', handler);
      },
    });
  } catch (err) {
    if (err instanceof DialError) throw new StaysshError(err.failure.message);
    throw err;
  }
}

/** `ssh -T host` (or stdin not a terminal, no command): the login shell over one channel. */
async function loginShellWithoutTty(connector: Connector, cfg: ResolvedSshConfig): Promise<number> {
  const conn = await firstDial(connector);
  const result = await runPlainCommand(conn, { command: '', env: requestedEnv(cfg, process.env), stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
  conn.end();
  return result.code;
}

async function manage(cli: CliOptions, connector: Connector): Promise<number> {
  const conn = await firstDial(connector);
  try {
    if (cli.kill !== undefined) {
      if (await killSession(conn, cli.kill)) return 0;
      process.stderr.write(`stayssh: no session named ${cli.kill} on ${connector.config.originalHost}\n`);
      return 1;
    }
    const sessions = await listSessions(conn);
    process.stdout.write(cli.json ? `${JSON.stringify(sessions, null, 2)}\n` : `${formatSessionTable(sessions)}\n`);
    return 0;
  } finally {
    conn.end();
  }
}

/** -N: forwards only; the link is re-dialed like a session's until the policy gives up. */
async function forwardOnly(cli: CliOptions, cfg: ResolvedSshConfig, connector: Connector, log: Logger, forwards: ForwardManager): Promise<number> {
  const sink = eventSink(cli, cfg, log, cli.session ?? '');
  try {
    return await runForwardOnly({ connector, hooks: forwards, liveness: livenessFrom(cfg), policy: policyFrom(cli).policy, onEvent: (e) => sink.emit(e), warn: (t) => log.warn(t) });
  } catch (err) {
    if (err instanceof DialError) throw new StaysshError(err.failure.message);
    throw err;
  }
}

export async function interactive(
  cli: CliOptions,
  cfg: ResolvedSshConfig,
  connector: Connector,
  log: Logger,
  command: string | undefined,
  resumeHint = true,
  linkHooks?: LinkHooks,
): Promise<number> {
  const name = cli.session ?? generateSessionName();
  const terminal = processTerminal();
  const policy = policyFrom(cli);
  const sink = eventSink(cli, cfg, log, name);
  const session = new InteractiveSession({
    connector,
    linkHooks,
    attach: { name, mux: cli.mux ?? 'auto', create: true, command, env: { ...localeEnv(process.env), ...requestedEnv(cfg, process.env) }, term: process.env['TERM'] || 'xterm-256color' },
    terminal,
    escapeChar: cfg.escapeChar,
    liveness: livenessFrom(cfg),
    policy,
    clock: systemClock,
    onEvent: (e) => sink.emit(e),
    watchNetwork: watchNetwork(cfg.hostName),
    notice: (t) => log.info(t),
  });
  const result = await session.run();
  terminal.dispose();
  if (result.resumable && resumeHint) {
    const how = `stayssh --session ${name} ${cli.destination ?? cfg.originalHost}`;
    log.info(`stayssh: ${result.reason === 'detached' ? 'detached from' : 'left'} session ${name}; resume with: ${how}`);
    if (result.reason !== 'detached') log.info(`stayssh: ${result.reason}`);
  } else if (result.code === 255 && result.reason !== 'remote exited') {
    throw new StaysshError(result.reason);
  }
  return result.code;
}
