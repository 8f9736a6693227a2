/**
 * The re-dial schedule (SPEC §3): exponential, jittered, capped.
 *
 * Attempt 1 goes at once: a link that was reset (sshd restart, NAT rebind, a new Wi-Fi)
 * is usually reachable again immediately, and that first re-dial is what decides whether
 * the user notices the outage at all. From attempt 2 the delay starts at INITIAL_DELAY_MS
 * and doubles up to the cap, each delay spread by ±JITTER so that many clients cut by the
 * same event (a fleet behind one NAT, a server restart) do not re-dial in lockstep.
 *
 * Proportional jitter rather than "full" jitter (uniform in [0, d]): the status line shows
 * "next in 4s", and full jitter would make that figure swing from 0 to the whole delay
 * and spend many early attempts within milliseconds of each other.
 *
 * Pure: no timers. The caller asks next() and waits on its own Clock.
 */

/** ms before the 2nd attempt: long enough not to hammer a refusing port, short enough to feel instant. */
export const INITIAL_DELAY_MS = 250;
/** ms, the default cap (SPEC §1 `--backoff-max 30s`): a down link is re-tried at least twice a minute. */
export const MAX_DELAY_MS = 30_000;
/** growth per failed attempt (classic doubling: 250 ms → 30 s in 8 steps). */
export const BACKOFF_FACTOR = 2;
/** ± fraction of each delay, so simultaneous victims spread over a 40% wide window. */
export const JITTER = 0.2;

export interface BackoffOptions {
  /** ms before attempt 2 (attempt 1 is immediate unless `immediateFirst` is false). */
  initialMs?: number;
  /** ms, hard cap: no delay returned is ever larger, jitter included. */
  maxMs?: number;
  /** multiplier per attempt, ≥ 1. */
  factor?: number;
  /** fraction in [0, 1): each delay is drawn from [d·(1−jitter), d·(1+jitter)], then capped. */
  jitter?: number;
  /** re-dial at once on the first attempt (default true). */
  immediateFirst?: boolean;
  /** uniform in [0, 1); injectable for tests. */
  random?: () => number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly immediateFirst: boolean;
  private readonly random: () => number;
  private attempts = 0;
  /** un-jittered delay of the next non-immediate attempt, already capped. */
  private base: number;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? INITIAL_DELAY_MS;
    this.maxMs = opts.maxMs ?? MAX_DELAY_MS;
    this.factor = opts.factor ?? BACKOFF_FACTOR;
    this.jitter = opts.jitter ?? JITTER;
    this.immediateFirst = opts.immediateFirst ?? true;
    this.random = opts.random ?? Math.random;
    if (!(this.initialMs >= 0) || !Number.isFinite(this.initialMs)) throw new RangeError(`backoff: bad initialMs ${this.initialMs}`);
    if (!(this.maxMs >= 0) || !Number.isFinite(this.maxMs)) throw new RangeError(`backoff: bad maxMs ${this.maxMs}`);
    if (!(this.factor >= 1) || !Number.isFinite(this.factor)) throw new RangeError(`backoff: bad factor ${this.factor}`);
    if (!(this.jitter >= 0 && this.jitter < 1)) throw new RangeError(`backoff: bad jitter ${this.jitter}`);
    this.base = Math.min(this.initialMs, this.maxMs);
  }

  /** How many delays next() has handed out since construction or reset(). */
  get attempt(): number {
    return this.attempts;
  }

  /** ms to wait before the next attempt; counts that attempt. */
  next(): number {
    this.attempts++;
    if (this.attempts === 1 && this.immediateFirst) return 0;
    const d = this.base;
    this.base = Math.min(this.maxMs, this.base * this.factor);
    return this.spread(d);
  }

  /** After a success, an address change or a wake (SPEC §3): start again from "at once". */
  reset(): void {
    this.attempts = 0;
    this.base = Math.min(this.initialMs, this.maxMs);
  }

  private spread(d: number): number {
    const r = Math.min(Math.max(this.random(), 0), 1);
    let v = d * (1 + this.jitter * (2 * r - 1));
    // Reflect below the cap instead of clamping to it, so clients sitting at the cap keep
    // their spread ([cap·(1−jitter), cap]) instead of half of them landing exactly on it.
    if (v > this.maxMs) v = Math.max(0, 2 * this.maxMs - v);
    return Math.min(this.maxMs, Math.round(v));
  }
}
