/**
 * When to re-dial, and when to give up (docs/BEHAVIOUR.md §1 and §3): the default schedule
 * with its bounds, or a library caller's own policy function. Pure: the backoff and the
 * random source are passed in and handed back, never kept here.
 */
import type { PolicyContext, ReconnectPolicy } from '../contracts/events.js';
import { backoffNext, backoffSettings, type BackoffSettings, type BackoffState } from './backoff.js';
import { nextRandom, type RandomState } from './random.js';

/**
 * ms from the start of one attempt to the start of the next while attempts fail without
 * reaching the server (connects that time out, no route, no DNS): backoff exists to spare
 * the server, and these never reached it. A fresh attempt every ~2 s puts the session back
 * within seconds of the path's return, however long the outage was.
 */
export const UNSEEN_RETRY_INTERVAL_MS = 2_000;

/**
 * Re-dials in flight at most while none is answered: a re-dial's connect deadline is 5 s
 * and a fresh one starts every UNSEEN_RETRY_INTERVAL_MS, so three cover one deadline.
 */
export const MAX_DIALS_IN_FLIGHT = 3;

export interface RetrySettings {
  /** Give up after this many consecutive failed re-dials. */
  readonly maxAttempts?: number;
  /** Give up once the link has been down this long, ms. */
  readonly giveUpAfterMs?: number;
  readonly backoff: BackoffSettings;
  /** A library caller's policy: replaces the schedule and the two bounds above. */
  readonly custom?: ReconnectPolicy;
}

export interface RetryOptions {
  maxAttempts?: number;
  giveUpAfterMs?: number;
  backoffMaxMs?: number;
  custom?: ReconnectPolicy;
}

export function retrySettings(o: RetryOptions = {}): RetrySettings {
  return { maxAttempts: o.maxAttempts, giveUpAfterMs: o.giveUpAfterMs, backoff: backoffSettings({ maxMs: o.backoffMaxMs }), custom: o.custom };
}

export interface RetryQuestion extends PolicyContext {
  /** The failure reached the server (refused, reset, authentication): back off further. */
  serverSaw: boolean;
  /** How long the failed attempt took, ms (0 for the loss of an attached link). */
  attemptTookMs: number;
}

export type RetryDecision = { delayMs: number } | 'give-up';

/** The decision, with the backoff and random state after it. */
export function decideRetry(s: RetrySettings, q: RetryQuestion, backoff: BackoffState, random: RandomState): [RetryDecision, BackoffState, RandomState] {
  if (s.custom) {
    const d = s.custom({ attempt: q.attempt, downtimeMs: q.downtimeMs, reason: q.reason });
    return [d === 'give-up' ? d : { delayMs: Math.max(0, d) }, backoff, random];
  }
  if (s.maxAttempts !== undefined && q.attempt > s.maxAttempts) return ['give-up', backoff, random];
  if (s.giveUpAfterMs !== undefined && q.downtimeMs >= s.giveUpAfterMs) return ['give-up', backoff, random];
  let delayMs: number;
  let nextBackoff = backoff;
  let nextRandomState = random;
  if (q.attempt === 1 || q.serverSaw) {
    const [r, rs] = nextRandom(random);
    [delayMs, nextBackoff] = backoffNext(s.backoff, backoff, r);
    nextRandomState = rs;
  } else {
    delayMs = Math.max(0, UNSEEN_RETRY_INTERVAL_MS - q.attemptTookMs);
  }
  // Never sleep past the give-up deadline: be asked again right when it falls due.
  if (s.giveUpAfterMs !== undefined) delayMs = Math.min(delayMs, s.giveUpAfterMs - q.downtimeMs);
  return [{ delayMs }, nextBackoff, nextRandomState];
}
