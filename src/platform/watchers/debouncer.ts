/**
 * Turns a burst of change signals into one call. Roaming is never one kernel event: a new
 * address arrives, the old one leaves, a default route is replaced, each a few ms apart.
 * The session should hear about it once (each call may probe the link or re-dial), with
 * every reason that contributed.
 *
 * Trailing quiet period, with a cap measured from the first signal so a flapping network
 * cannot postpone the call for ever.
 */
import type { Clock, TimerId } from '../clock.js';

/** ms without a new signal before the call: longer than the gap between `ip addr add/del`. */
export const DEBOUNCE_QUIET_MS = 100;
/** ms at most between the first signal and the call, however often signals keep coming. */
export const DEBOUNCE_MAX_MS = 500;

export class Debouncer {
  private readonly reasons: string[] = [];
  private firstAt = 0;
  private timer: TimerId | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly fire: (reason: string) => void,
    private readonly quietMs = DEBOUNCE_QUIET_MS,
    private readonly maxMs = DEBOUNCE_MAX_MS,
  ) {}

  signal(reason: string): void {
    const now = this.clock.now();
    if (this.timer === undefined) this.firstAt = now;
    else this.clock.clearTimeout(this.timer);
    if (!this.reasons.includes(reason)) this.reasons.push(reason);
    const due = Math.min(now + this.quietMs, this.firstAt + this.maxMs);
    this.timer = this.clock.setTimeout(() => this.flush(), Math.max(0, due - now));
  }

  /** Drops a pending call (the watch was stopped). */
  cancel(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.reasons.length = 0;
  }

  private flush(): void {
    this.timer = undefined;
    const reason = this.reasons.splice(0).join('; ');
    if (reason) this.fire(reason);
  }
}
