/**
 * Is the link alive? Judged from the link itself (docs/BEHAVIOUR.md §3): ANY byte received counts as
 * life. ssh2's own keepalive counter is reset only by keepalive replies, so a link busy
 * with output can be declared dead by it; we keep our own count and use ssh2 only to send
 * the probe (a global request the server must answer).
 *
 * Schedule, with the defaults (interval 5 s, countMax 2), while nothing arrives:
 *   t = 5 s   probe()                       (silence reached the interval)
 *   t = 6 s   doubt(6000)                   (that probe unanswered for PROBE_REPLY_GRACE_MS)
 *   t = 10 s  dead(10000)                   (silence reached interval × countMax)
 * With a larger countMax another probe goes out every interval until the dead deadline.
 * While data flows no probe is sent at all: probes are for silence only.
 *
 * Rules that keep it honest:
 * - dead is only declared once a probe has gone unanswered for PROBE_REPLY_GRACE_MS, so a
 *   wall-clock jump, a wake from sleep or countMax = 1 never kill a healthy link unasked;
 * - dead is always preceded by doubt, so "doubt → show the status line" is enough for a UI;
 * - if our timer fires much later than asked (sleep, SIGSTOP, `~^Z`, a stalled loop), the
 *   reply may sit unread in the socket buffer (timers run before I/O in a loop turn), so
 *   the silence is not evidence: we probe afresh and give the reply its grace instead.
 *
 * Cheap: onBytesReceived() stores a timestamp; one timer re-checks when something could be
 * due and re-arms itself, so a busy link costs one timer wake-up per interval.
 */
import { DEFAULT_ALIVE_COUNT_MAX, DEFAULT_ALIVE_INTERVAL_MS } from '../contracts/reconnect-defaults.js';
import type { Clock, TimerId } from '../platform/clock.js';

/**
 * ms a probe may go unanswered before the link is "in doubt" (the status line shows).
 * An ssh round trip is < 50 ms on loopback/LAN and 300–600 ms on a poor mobile link;
 * 1 s leaves headroom so a slow but healthy link never flashes the status line.
 */
export const PROBE_REPLY_GRACE_MS = 1_000;
/**
 * ms checkNow() waits for any byte after its probe before declaring the link dead. After
 * a network change or wake the user should be "back on screen" within about a second;
 * a link that cannot answer one round trip in 1 s is cheaper to re-dial (~120 ms on a LAN)
 * than to wait for.
 */
export const CHECK_DEADLINE_MS = 1_000;
/**
 * ms past its due time after which a timer firing is treated as a stall (sleep, stop,
 * `~^Z`) rather than evidence: ordinary event-loop jitter is a few ms, GC pauses tens.
 */
export const STALL_THRESHOLD_MS = 1_000;

export interface LivenessOptions {
  /** ms of silence before a probe (ServerAliveInterval × 1000); unset or ≤ 0: the default. */
  intervalMs?: number;
  /** ServerAliveCountMax; unset or < 1: the default. */
  countMax?: number;
}

export interface LivenessCallbacks {
  /** Send a keepalive the server must answer (e.g. an ssh global request, want-reply). */
  probe(): void;
  /** A probe went unanswered: the link is in doubt. Called once per doubt episode. */
  doubt?(silentMs: number): void;
  /** Bytes arrived again after doubt. */
  alive?(): void;
  /** The link is dead; the monitor has stopped itself. Called once. */
  dead(silentMs: number): void;
}

export type LivenessState = 'stopped' | 'alive' | 'doubt' | 'dead';

export class LivenessMonitor {
  readonly intervalMs: number;
  readonly countMax: number;
  private state: LivenessState = 'stopped';
  private lastByteAt = 0;
  /** probes sent since the last byte; 0 means none outstanding. */
  private probesOutstanding = 0;
  private firstProbeAt = 0;
  private lastProbeAt = 0;
  private checkDeadlineAt: number | undefined;
  private timer: TimerId | undefined;
  private timerDueAt = 0;

  constructor(
    private readonly clock: Clock,
    opts: LivenessOptions,
    private readonly cb: LivenessCallbacks,
  ) {
    const i = opts.intervalMs;
    const c = opts.countMax;
    // ServerAliveInterval 0 disables keepalives in OpenSSH; stayssh cannot work without
    // noticing a dead link, so "off" and nonsense both mean the default here.
    this.intervalMs = i !== undefined && Number.isFinite(i) && i > 0 ? i : DEFAULT_ALIVE_INTERVAL_MS;
    this.countMax = c !== undefined && Number.isFinite(c) && c >= 1 ? Math.floor(c) : DEFAULT_ALIVE_COUNT_MAX;
  }

  get status(): LivenessState {
    return this.state;
  }

  /** Begin watching a freshly connected link: connecting counts as contact. */
  start(): void {
    this.cancelTimer();
    this.state = 'alive';
    this.lastByteAt = this.clock.now();
    this.probesOutstanding = 0;
    this.checkDeadlineAt = undefined;
    this.arm();
  }

  stop(): void {
    this.cancelTimer();
    if (this.state !== 'dead') this.state = 'stopped';
  }

  /** Call for every chunk received on the link, whatever it is. Cheap on purpose. */
  onBytesReceived(): void {
    if (this.state !== 'alive' && this.state !== 'doubt') return;
    this.lastByteAt = this.clock.now();
    this.probesOutstanding = 0;
    this.checkDeadlineAt = undefined;
    if (this.state === 'doubt') {
      this.state = 'alive';
      this.cb.alive?.();
    }
  }

  /**
   * Roaming or wake: probe now and declare the link dead if nothing at all arrives within
   * CHECK_DEADLINE_MS, instead of waiting out the silence deadline.
   */
  checkNow(): void {
    if (this.state !== 'alive' && this.state !== 'doubt') return;
    const now = this.clock.now();
    this.sendProbe(now);
    this.checkDeadlineAt = now + CHECK_DEADLINE_MS;
    this.arm();
  }

  /** ms since the last byte (0 when stopped before ever starting). */
  silentMs(): number {
    return this.state === 'stopped' && this.lastByteAt === 0 ? 0 : Math.max(0, this.clock.now() - this.lastByteAt);
  }

  private sendProbe(now: number): void {
    if (this.probesOutstanding === 0) this.firstProbeAt = now;
    this.probesOutstanding++;
    this.lastProbeAt = now;
    this.cb.probe();
  }

  private tick(): void {
    this.timer = undefined;
    if (this.state !== 'alive' && this.state !== 'doubt') return;
    const now = this.clock.now();
    if (now - this.timerDueAt > STALL_THRESHOLD_MS) {
      // We were not running: bytes may be waiting unread. Ask again, judge after the grace.
      this.probesOutstanding = 0;
      this.sendProbe(now);
      this.arm();
      return;
    }
    const silent = Math.max(0, now - this.lastByteAt);
    const unansweredFor = this.probesOutstanding > 0 ? now - this.firstProbeAt : -1;

    const checkExpired = this.checkDeadlineAt !== undefined && now >= this.checkDeadlineAt;
    const silenceExpired = silent >= this.deadAfterMs() && unansweredFor >= PROBE_REPLY_GRACE_MS;
    if (checkExpired || silenceExpired) {
      if (this.state !== 'doubt') this.cb.doubt?.(silent);
      this.state = 'dead';
      this.cb.dead(silent);
      return;
    }
    if (this.state === 'alive' && unansweredFor >= PROBE_REPLY_GRACE_MS) {
      this.state = 'doubt';
      this.cb.doubt?.(silent);
    }
    if (now >= this.nextProbeAt()) this.sendProbe(now);
    this.arm();
  }

  private deadAfterMs(): number {
    return this.intervalMs * this.countMax;
  }

  private nextProbeAt(): number {
    return (this.probesOutstanding === 0 ? this.lastByteAt : this.lastProbeAt) + this.intervalMs;
  }

  /** (Re)arms the single timer for the earliest moment anything could change. */
  private arm(): void {
    if (this.state !== 'alive' && this.state !== 'doubt') return;
    let due = this.nextProbeAt();
    if (this.probesOutstanding > 0) {
      const graceEnd = this.firstProbeAt + PROBE_REPLY_GRACE_MS;
      if (this.state === 'alive') due = Math.min(due, graceEnd);
      due = Math.min(due, Math.max(this.lastByteAt + this.deadAfterMs(), graceEnd));
    }
    if (this.checkDeadlineAt !== undefined) due = Math.min(due, this.checkDeadlineAt);
    const now = this.clock.now();
    due = Math.max(due, now);
    if (this.timer !== undefined) {
      if (this.timerDueAt === due) return;
      this.clock.clearTimeout(this.timer);
    }
    this.timerDueAt = due;
    this.timer = this.clock.setTimeout(() => this.tick(), due - now);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
