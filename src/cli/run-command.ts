/** Non-interactive CLI modes: stream mode and `-N` forwards only. */
import type { ResolvedSshConfig } from '../config/types.js';
import type { ForwardManager } from '../forward/manager.js';
import { runForwardOnly } from '../forward/forward-only.js';
import type { Connector } from '../transport/connector.js';
import type { LinkHooks } from '../contracts/link-hooks.js';
import { livenessFrom } from '../engine/liveness-settings.js';
import { generateSessionName } from '../remote/session-names.js';
import { watchNetwork } from '../platform/watchers/index.js';
import { runStream } from '../stream/stream-session.js';
import { resumeCommandLine } from './resume-hint.js';
import type { Logger } from './logger.js';
import type { CliOptions } from './options.js';
import { requestedEnv } from './session-env.js';
import { asUserError, eventSink, policyFrom } from './session-setup.js';

/**
 * A command without a terminal (or, with command '', the login shell reading its commands
 * from stdin): stream mode, every byte exactly once across re-dials.
 */
export async function runStreamCommand(cli: CliOptions, cfg: ResolvedSshConfig, connector: Connector, log: Logger, command: string, linkHooks?: LinkHooks): Promise<number> {
  const name = cli.session ?? generateSessionName();
  const sink = eventSink(cli, cfg, log, name);
  sink.emit({ event: 'connecting', attempt: 0 });
  return asUserError(
    runStream({
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
      // Killed politely or its terminal closed: the command runs on, and we say how to rejoin it.
      onTerminate: (handler) => {
        for (const s of ['SIGTERM', 'SIGHUP'] as const) process.on(s, handler);
        return () => {
          for (const s of ['SIGTERM', 'SIGHUP'] as const) process.off(s, handler);
        };
      },
      // With no command the login shell runs: -T keeps a terminal's stdin from asking for a pty.
      resumeCommand: resumeCommandLine(cli.argv, name, { noTty: command === '' }),
    }),
  );
}

/** -N: forwards only; the link is re-dialed like a session's until the policy gives up. */
export function runForwardsOnly(cli: CliOptions, cfg: ResolvedSshConfig, connector: Connector, log: Logger, forwards: ForwardManager): Promise<number> {
  const sink = eventSink(cli, cfg, log, cli.session ?? '');
  return asUserError(
    runForwardOnly({ connector, hooks: forwards, liveness: livenessFrom(cfg), policy: policyFrom(cli).policy, onEvent: (e) => sink.emit(e), warn: (t) => log.warn(t) }),
  );
}
