/**
 * Time, as the session layer sees it. Everything that waits (liveness, backoff, the
 * supervisor, the status line's refresh) is given a Clock instead of calling the global
 * timers, so every reconnect path is a fast, deterministic unit test with FakeClock.
 *
 * Deliberately minimal: now / setTimeout / clearTimeout. An interval is a timeout that
 * re-arms itself, and keeping it out of the contract keeps the fake trivially correct.
 */

declare const timerBrand: unique symbol;
/** Opaque handle: only the Clock that issued it can clear it. */
export type TimerId = { readonly [timerBrand]: true };

export interface Clock {
  /**
   * Milliseconds on the wall clock (Date.now() for the system clock). Wall time on purpose:
   * "link lost 12s ago" must include time the laptop spent asleep, and a wall-clock jump
   * is exactly what a wake detector looks for. Consumers clamp negative differences.
   */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
}

export interface SystemClockOptions {
  /**
   * unref() every timer, so a pending keepalive or status refresh never keeps the process
   * alive on its own: the session's sockets and stdin do that.
   */
  unref?: boolean;
}

/** The real clock, backed by Node's timers. */
export function createSystemClock(opts: SystemClockOptions = {}): Clock {
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const t = setTimeout(fn, Math.max(0, ms));
      if (opts.unref) t.unref();
      return t as unknown as TimerId;
    },
    clearTimeout(id) {
      clearTimeout(id as unknown as NodeJS.Timeout);
    },
  };
}

/** The real clock with referenced timers (like plain setTimeout). */
export const systemClock: Clock = createSystemClock();

interface FakeTimer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/**
 * A clock that only moves when told to. Timers fire in due order (ties in scheduling
 * order), each seeing now() equal to its own due time, as real timers would on an idle
 * event loop. A timer scheduled while advance() runs fires in the same advance() if it
 * falls due before the target time.
 */
export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: FakeTimer[] = [];

  constructor(startMs = 0) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = ++this.seq;
    // Node clamps negative and NaN delays to (about) zero; so do we.
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.timers.push({ id, due: this.time + delay, fn });
    return id as unknown as TimerId;
  }

  clearTimeout(id: TimerId): void {
    const n = id as unknown as number;
    this.timers = this.timers.filter((t) => t.id !== n);
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`FakeClock.advance: bad duration ${ms}`);
    const target = this.time + ms;
    for (;;) {
      const next = this.earliest();
      if (next === undefined || next.due > target) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.due;
      next.fn();
    }
    this.time = target;
  }

  /**
   * Jumps the clock without running timers, then lets the ones now overdue fire late: what
   * a laptop waking from sleep looks like to a process (timers fire late, all at once).
   */
  jump(ms: number): void {
    this.time += ms;
    for (;;) {
      const next = this.earliest();
      if (next === undefined || next.due > this.time) break;
      this.timers = this.timers.filter((t) => t !== next);
      next.fn();
    }
  }

  /** How many timers are scheduled and not yet fired or cleared. */
  pending(): number {
    return this.timers.length;
  }

  private earliest(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers) {
      if (best === undefined || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    }
    return best;
  }
}
