/**
 * The default reconnect policy (SPEC §1): exponential backoff with jitter, capped, and the
 * optional give-up bounds. A library caller may replace it with its own function.
 */
import { Backoff } from './backoff.js';
import type { PolicyContext, ReconnectPolicy } from '../contracts/events.js';

export interface DefaultPolicyOptions {
  maxAttempts?: number;
  giveUpAfterMs?: number;
  backoffMaxMs?: number;
  random?: () => number;
}

/** SPEC §1: `--backoff-max` defaults to 30 s. */
export const DEFAULT_BACKOFF_MAX_MS = 30_000;

export interface ResettablePolicy {
  policy: ReconnectPolicy;
  /** A network change or wake: the next re-dial starts from the shortest delay again. */
  reset(): void;
  /** The give-up limit, if any: a re-dial in flight is cut off when it falls due. */
  giveUpAfterMs?: number;
}

export function defaultPolicy(o: DefaultPolicyOptions = {}): ResettablePolicy {
  // Attempt 1 goes at once; then Backoff's own schedule (250 ms doubling, jittered, capped).
  const backoff = new Backoff({ maxMs: o.backoffMaxMs ?? DEFAULT_BACKOFF_MAX_MS, random: o.random });
  const policy = (ctx: PolicyContext): number | 'give-up' => {
    if (o.maxAttempts !== undefined && ctx.attempt > o.maxAttempts) return 'give-up';
    if (o.giveUpAfterMs !== undefined && ctx.downtimeMs >= o.giveUpAfterMs) return 'give-up';
    if (ctx.attempt === 1) backoff.reset();
    const delay = backoff.next();
    // Never sleep past the give-up deadline: be asked again right when it falls due.
    if (o.giveUpAfterMs !== undefined) return Math.min(delay, o.giveUpAfterMs - ctx.downtimeMs);
    return delay;
  };
  return { policy, reset: () => backoff.reset(), giveUpAfterMs: o.giveUpAfterMs };
}
