/**
 * The outage status line while it is up: drawn at once, then redrawn every
 * STATUS_REFRESH_MS (docs/BEHAVIOUR.md §3: refreshed every second) from a fresh state, so the
 * seconds since contact and until the next attempt keep counting; hide() stops and erases.
 */
import { STATUS_REFRESH_MS, type StatusLine, type StatusState } from '../terminal/status-line.js';
import type { Clock, TimerId } from '../platform/clock.js';

export class StatusTicker {
  private timer: TimerId | undefined;

  constructor(
    private readonly line: StatusLine,
    private readonly clock: Clock,
    private readonly state: () => StatusState,
  ) {}

  /** Draws the line now (again, when already shown) and keeps it fresh. */
  show(): void {
    this.line.show(this.state());
    if (this.timer !== undefined) return;
    const tick = (): void => {
      this.line.update(this.state());
      this.timer = this.clock.setTimeout(tick, STATUS_REFRESH_MS);
    };
    this.timer = this.clock.setTimeout(tick, STATUS_REFRESH_MS);
  }

  hide(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.line.clear();
  }
}
