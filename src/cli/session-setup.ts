/** What every CLI mode builds the same way: the event sink, the policy, the first dial. */
import type { ResolvedSshConfig } from '../config/types.js';
import { StaysshError } from '../errors.js';
import { EventSink } from '../engine/event-sink.js';
import { retrySettings, type RetrySettings } from '../core/policy.js';
import type { Connection } from '../transport/connection.js';
import type { Connector } from '../transport/connector.js';
import { DialError } from '../transport/dial.js';
import type { Logger } from './logger.js';
import type { CliOptions } from './options.js';

export function eventSink(cli: CliOptions, cfg: ResolvedSshConfig, log: Logger, name: string): EventSink {
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

/** `--max-attempts`, `--give-up-after`, `--backoff-max` (or their config keys). */
export function retryFrom(cli: CliOptions): RetrySettings {
  return retrySettings({ maxAttempts: cli.maxAttempts, giveUpAfterMs: cli.giveUpAfterMs, backoffMaxMs: cli.backoffMaxMs });
}

/** The first connection's failure is the user's one line and exit 255 (docs/BEHAVIOUR.md §2). */
export async function asUserError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof DialError) throw new StaysshError(err.failure.message);
    throw err;
  }
}

export function firstDial(connector: Connector): Promise<Connection> {
  return asUserError(connector.dial(true));
}
