/**
 * After a loss: ask the policy when to re-dial, dial, repeat until a link is up (resolves
 * with it) or the policy gives up (resolves undefined, after the `gave-up` event). A dial
 * failure that no retry can cure (a changed host key) rejects.
 *
 * A network change or a wake (RedialNudge.nudge()) cuts a backoff wait short: the new
 * network is usually reachable at once, and waiting out a delay chosen for the old one
 * would make roaming as slow as the backoff (SPEC §3). The attempt count goes on, as
 * with the interactive supervisor's `redial-now`.
 */
import type { Clock } from '../platform/clock.js';
import type { ReconnectPolicy } from '../contracts/events.js';
import type { Connection } from '../transport/connection.js';
import { DialError } from '../transport/dial.js';
import { dialWithin, untilGiveUp } from '../engine/dial-deadline.js';
import type { StreamEvent } from './stream-session.js';

/** Wakes the redial loop from its wait; a nudge with no wait in progress is dropped. */
export class RedialNudge {
  private wake: (() => void) | undefined;

  nudge(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Waits `ms` on `clock`, or less if nudged meanwhile. */
  sleep(clock: Clock, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = clock.setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clock.clearTimeout(timer);
        resolve();
      };
    });
  }
}

export interface RedialOptions {
  connector: { dial(first: boolean): Promise<Connection> };
  policy: ReconnectPolicy;
  clock: Clock;
  /** When the link was lost (clock ms). */
  downSince: number;
  reason: string;
  /** True when the session ended meanwhile (stop quietly). */
  isDone(): boolean;
  onEvent(e: StreamEvent): void;
  /** Cuts a backoff wait short (network change, wake). */
  nudge?: RedialNudge;
  /** The policy's give-up limit: a dial still under way when it falls due is cut off. */
  giveUpAfterMs?: number;
}

export async function redial(o: RedialOptions): Promise<Connection | undefined> {
  let reason = o.reason;
  const nudge = o.nudge ?? new RedialNudge();
  for (let attempt = 1; ; attempt++) {
    const downtimeMs = Math.max(0, o.clock.now() - o.downSince);
    const delay = o.policy({ attempt, downtimeMs, reason });
    if (delay === 'give-up') {
      o.onEvent({ event: 'gave-up', attempt: attempt - 1, reason, downtimeMs });
      return undefined;
    }
    await nudge.sleep(o.clock, delay);
    if (o.isDone()) return undefined;
    o.onEvent({ event: 'reconnecting', attempt });
    try {
      const conn = await dialWithin(o.connector.dial(false), o.clock, untilGiveUp(o.giveUpAfterMs, o.downSince, o.clock.now()));
      o.onEvent({ event: 'reconnected', attempt, downtimeMs: Math.max(0, o.clock.now() - o.downSince) });
      return conn;
    } catch (err) {
      if (err instanceof DialError && !err.failure.retryable) throw new Error(err.failure.message);
      reason = err instanceof DialError ? err.failure.message : (err as Error).message;
    }
  }
}
