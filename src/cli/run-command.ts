/** Non-interactive CLI modes: stream mode and `-N` forwards only, both on the one engine. */
import { createReadStream } from 'node:fs';
import type { ResolvedSshConfig } from '../config/types.js';
import type { ForwardManager } from '../forward/manager.js';
import { tunnelOnly } from '../engine/attachment.js';
import { Engine } from '../engine/engine.js';
import { StaysshError } from '../errors.js';
import { connectTimeoutOf, type Connector } from '../transport/connector.js';
import type { LinkHooks } from '../transport/link-hooks.js';
import { livenessFrom } from '../engine/liveness-settings.js';
import { systemClock } from '../platform/clock.js';
import { generateSessionName } from '../remote/session-names.js';
import { watchNetwork } from '../platform/watchers/index.js';
import { runStream } from '../stream/stream-session.js';
import { resumeCommandLine } from './resume-hint.js';
import type { Logger } from './logger.js';
import type { CliOptions } from './options.js';
import { requestedEnv } from './session-env.js';
import { eventSink, retryFrom } from './session-setup.js';

/**
 * A command without a terminal (or, with command '', the login shell reading its commands
 * from stdin): stream mode, every byte exactly once across re-dials.
 */
export function runStreamCommand(cli: CliOptions, cfg: ResolvedSshConfig, connector: Connector, log: Logger, command: string, linkHooks?: LinkHooks): Promise<number> {
  const name = cli.session ?? generateSessionName();
  const sink = eventSink(cli, cfg, log, name);
  return runStream({
    connector,
    linkHooks,
    name,
    command,
    env: requestedEnv(cfg, process.env),
    // -n: stdin from /dev/null, as ssh -n (an empty input: the command reads EOF at once).
    stdin: cli.stdinNull ? createReadStream('/dev/null') : process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    liveness: livenessFrom(cfg),
    retry: retryFrom(cli),
    firstLoginWindowMs: connectTimeoutOf(cfg),
    onEvent: (e) => sink.emit(e),
    watchNetwork: watchNetwork(connector),
    warn: (t) => log.warn(t),
    debug: (t) => log.debug(t),
    onInterrupt: (handler) => {
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
    // Killed politely or its terminal closed: the command runs on, and we say how to rejoin it.
    onTerminate: (handler) => {
      for (const s of ['SIGTERM', 'SIGHUP'] as const) process.on(s, handler);
      return () => {
        for (const s of ['SIGTERM', 'SIGHUP'] as const) process.off(s, handler);
      };
    },
    // With no command the login shell runs: -T keeps a terminal's stdin from asking for a pty.
    resumeCommand: resumeCommandLine(cli.argv, name, { noTty: command === '' }),
  });
}

/**
 * -N: forwards only. The link is dialed, watched and re-dialed by the same engine as a
 * shell's (roaming, wake, give-up, events, hooks); "attached" means the forwards are up
 * on it again. Runs until killed, as `ssh -N` does, or until the policy gives up (255).
 */
export async function runForwardsOnly(cli: CliOptions, cfg: ResolvedSshConfig, connector: Connector, log: Logger, forwards: ForwardManager): Promise<number> {
  const sink = eventSink(cli, cfg, log, cli.session ?? '');
  const engine = new Engine({
    connector,
    attachment: tunnelOnly,
    liveness: livenessFrom(cfg),
    retry: retryFrom(cli),
    firstLoginWindowMs: connectTimeoutOf(cfg),
    clock: systemClock,
    onEvent: (e) => sink.emit(e),
    linkHooks: forwards,
    watchNetwork: watchNetwork(connector),
    debug: (t) => log.debug(t),
  });
  const result = await engine.run();
  if (!result.wasUp) throw new StaysshError(result.reason);
  log.warn(`stayssh: ${result.reason}`);
  return result.code;
}
