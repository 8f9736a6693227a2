/**
 * The re-dial schedule (docs/BEHAVIOUR.md §3): exponential, jittered, capped. Pure values
 * in, values out: the backoff is part of the reconnect core's state, not an object with
 * a hidden counter, so every schedule is a replayable unit test.
 *
 * Attempt 1 goes at once: a link that was reset (sshd restart, NAT rebind, a new Wi-Fi)
 * is usually reachable again immediately, and that first re-dial decides whether the user
 * notices the outage at all. From attempt 2 the delay starts at INITIAL_DELAY_MS and
 * doubles up to the cap, each delay spread by ±JITTER so that many clients cut by the same
 * event (a fleet behind one NAT, a server restart) do not re-dial in lockstep.
 *
 * Proportional jitter rather than "full" jitter (uniform in [0, d]): the status line shows
 * "next in 4s", and full jitter would make that figure swing from 0 to the whole delay.
 */
import { DEFAULT_BACKOFF_MAX_MS } from '../contracts/reconnect-defaults.js';

/** ms before the 2nd attempt: long enough not to hammer a refusing port, short enough to feel instant. */
export const INITIAL_DELAY_MS = 250;
/** growth per failed attempt (classic doubling: 250 ms → 30 s in 8 steps). */
export const BACKOFF_FACTOR = 2;
/** ± fraction of each delay, so simultaneous victims spread over a 40% wide window. */
export const JITTER = 0.2;

export interface BackoffSettings {
  /** ms before attempt 2 (attempt 1 is immediate unless `immediateFirst` is false). */
  readonly initialMs: number;
  /** ms, hard cap: no delay returned is ever larger, jitter included. */
  readonly maxMs: number;
  /** multiplier per attempt, ≥ 1. */
  readonly factor: number;
  /** fraction in [0, 1): each delay is drawn from [d·(1−jitter), d·(1+jitter)], then capped. */
  readonly jitter: number;
  /** re-dial at once on the first attempt. */
  readonly immediateFirst: boolean;
}

export interface BackoffState {
  /** Delays handed out since the start or the last reset. */
  readonly given: number;
  /** Un-jittered delay of the next non-immediate attempt, already capped, ms. */
  readonly baseMs: number;
}

/** Settings with the defaults filled in; throws RangeError on nonsense. */
export function backoffSettings(o: Partial<BackoffSettings> = {}): BackoffSettings {
  const s: BackoffSettings = {
    initialMs: o.initialMs ?? INITIAL_DELAY_MS,
    maxMs: o.maxMs ?? DEFAULT_BACKOFF_MAX_MS,
    factor: o.factor ?? BACKOFF_FACTOR,
    jitter: o.jitter ?? JITTER,
    immediateFirst: o.immediateFirst ?? true,
  };
  if (!(s.initialMs >= 0) || !Number.isFinite(s.initialMs)) throw new RangeError(`backoff: bad initialMs ${s.initialMs}`);
  if (!(s.maxMs >= 0) || !Number.isFinite(s.maxMs)) throw new RangeError(`backoff: bad maxMs ${s.maxMs}`);
  if (!(s.factor >= 1) || !Number.isFinite(s.factor)) throw new RangeError(`backoff: bad factor ${s.factor}`);
  if (!(s.jitter >= 0 && s.jitter < 1)) throw new RangeError(`backoff: bad jitter ${s.jitter}`);
  return s;
}

/** The state at the start, and after a success, an address change or a wake. */
export function backoffReset(s: BackoffSettings): BackoffState {
  return { given: 0, baseMs: Math.min(s.initialMs, s.maxMs) };
}

/** The delay before the next attempt, given a uniform draw `r` in [0, 1), and the state after it. */
export function backoffNext(s: BackoffSettings, b: BackoffState, r: number): [number, BackoffState] {
  const given = b.given + 1;
  if (given === 1 && s.immediateFirst) return [0, { ...b, given }];
  const next: BackoffState = { given, baseMs: Math.min(s.maxMs, b.baseMs * s.factor) };
  return [spread(s, b.baseMs, r), next];
}

function spread(s: BackoffSettings, d: number, r: number): number {
  const u = Math.min(Math.max(r, 0), 1);
  let v = d * (1 + s.jitter * (2 * u - 1));
  // Reflect below the cap instead of clamping to it, so clients sitting at the cap keep
  // their spread ([cap·(1−jitter), cap]) instead of half of them landing exactly on it.
  if (v > s.maxMs) v = Math.max(0, 2 * s.maxMs - v);
  return Math.min(s.maxMs, Math.round(v));
}
