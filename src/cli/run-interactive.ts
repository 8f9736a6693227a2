/** An interactive session from the CLI: the process's terminal, the supervisor, the resume hint. */
import type { ResolvedSshConfig } from '../config/types.js';
import { StaysshError } from '../errors.js';
import type { Connector } from '../transport/connector.js';
import { systemClock } from '../platform/clock.js';
import { InteractiveSession, type InteractiveOptions } from '../session/interactive.js';
import type { LinkHooks } from '../transport/link-hooks.js';
import { livenessFrom } from '../engine/liveness-settings.js';
import { generateSessionName } from '../remote/session-names.js';
import { watchNetwork } from '../platform/watchers/index.js';
import { processTerminal } from '../terminal/process-terminal.js';
import type { Logger } from './logger.js';
import type { CliOptions } from './options.js';
import { requestedEnv } from './session-env.js';
import { carriedEnv } from '../remote/shim.js';
import { eventSink, retryFrom } from './session-setup.js';
import { connectTimeoutOf } from '../transport/connector.js';
import { listCommandLine, resumeCommandLine } from './resume-hint.js';

export interface InteractiveRun {
  cli: CliOptions;
  cfg: ResolvedSshConfig;
  connector: Connector;
  log: Logger;
  /** The `-t` command, or undefined for the login shell. */
  command: string | undefined;
  linkHooks?: LinkHooks;
  /** `--demo` removes its session on the way out: no "resume with" line then. */
  resumable?: boolean;
  /** Set by `--demo`: null prints no "list them" line (InteractiveOptions.listCommand). */
  listCommand?: string | null;
  /** Set by `--demo`: names its own cuts in the status line (InteractiveOptions.statusCause). */
  statusCause?: InteractiveOptions['statusCause'];
}

export async function runInteractive(r: InteractiveRun): Promise<number> {
  const { cli, cfg, log } = r;
  const name = cli.session ?? generateSessionName();
  const terminal = processTerminal();
  const sink = eventSink(cli, cfg, log, name);
  const session = new InteractiveSession({
    connector: r.connector,
    linkHooks: r.linkHooks,
    attach: {
      name,
      mux: cli.mux ?? 'auto',
      create: true,
      command: r.command,
      env: { ...carriedEnv(process.env), ...requestedEnv(cfg, process.env) },
      expireIdleSeconds: cli.sessionIdleExpiryMs === undefined ? undefined : Math.round(cli.sessionIdleExpiryMs / 1000),
      // -tt into a pipe or a file: the session's text, not tmux's drawing (docs/DECISIONS.md).
      view: process.stdout.isTTY ? 'screen' : 'text',
      term: process.env['TERM'] || 'xterm-256color',
    },
    terminal,
    escapeChar: cfg.escapeChar,
    liveness: livenessFrom(cfg),
    retry: retryFrom(cli),
    firstLoginWindowMs: connectTimeoutOf(cfg),
    debug: (t) => log.debug(t),
    clock: systemClock,
    onEvent: (e) => sink.emit(e),
    watchNetwork: watchNetwork(r.connector),
    notice: (t) => log.info(t),
    listCommand: r.listCommand === undefined ? listCommandLine(cli.argv) : r.listCommand,
    statusCause: r.statusCause,
  });
  // Killed politely (SIGTERM): like `~.`, the session stays and we say how to resume it,
  // and exit 255 as ssh does when killed. raw-mode.ts restores the terminal first and,
  // seeing this listener, leaves the exit to us.
  const onTerm = (): void => session.leave('killed by SIGTERM');
  process.on('SIGTERM', onTerm);
  const result = await session.run().finally(() => process.off('SIGTERM', onTerm));
  terminal.dispose();
  if (result.resumable) {
    if (r.resumable === false) return result.code;
    const how = resumeCommandLine(cli.argv, name);
    log.info(`stayssh: ${result.reason === 'detached' ? 'detached from' : 'left'} session ${name}; resume with: ${how}`);
    if (result.reason !== 'detached') log.info(`stayssh: ${result.reason}`);
  } else if (result.code === 255 && result.reason !== 'remote exited') {
    throw new StaysshError(result.reason);
  }
  return result.code;
}
