/**
 * The one reconnect engine: the I/O shell around the pure core (core/supervisor.ts), the
 * same for a shell, a stream command and a `-N` tunnel. It dials, hands each new link to
 * the forwards (link hooks) and to the mode's Attachment, watches liveness (any byte is
 * life), follows network changes and wakes, keeps the retry timer, and reports events.
 * The modes differ only in what "attach" means (attachment.ts). Behaviour:
 * docs/BEHAVIOUR.md §2, §3 and §5; the design: docs/ARCHITECTURE.md.
 *
 * One generation number per link: callbacks from a dead link are ignored. Dials in flight
 * (several while re-dials go unanswered: the core decides) each have an id; the first to
 * connect becomes the link and the others are called off.
 */
import { randomInt } from 'node:crypto';
import type { SessionEvent } from '../contracts/events.js';
import type { FailureKind } from '../contracts/failure.js';
import type { LinkHooks, NetworkWatch } from '../transport/link-hooks.js';
import { finished, initialState, step, type CoreSettings, type CoreState, type Effect, type Input, type Phase } from '../core/supervisor.js';
import type { RetrySettings } from '../core/policy.js';
import type { Clock, TimerId } from '../platform/clock.js';
import type { Connection } from '../transport/connection.js';
import { DialError, type DialWatch } from '../transport/dial.js';
import { isLocalAddress } from '../transport/local-address.js';
import type { Attachment, AttachLink } from './attachment.js';
import { dialWithin, DialDeadlinePassed } from './dial-deadline.js';
import { LivenessMonitor } from './liveness.js';

export interface EngineOptions {
  connector: { dial(first: boolean, watch?: DialWatch): Promise<Connection> };
  attachment: Attachment;
  liveness: { intervalMs: number; countMax: number };
  retry: RetrySettings;
  /** ms within which a transient fault of the first login is retried (ConnectTimeout). */
  firstLoginWindowMs: number;
  clock: Clock;
  onEvent(event: Omit<SessionEvent, 'ts' | 'host' | 'session'>): void;
  linkHooks?: LinkHooks;
  watchNetwork?: NetworkWatch;
  /** The outage status line, where the mode has one (interactive). */
  status?: { show(): void; hide(): void };
  /** Seeds the backoff's jitter (default: a random seed); tests pin it. */
  seed?: number;
  /** `-v` lines: what the engine decided and why. */
  debug?: (line: string) => void;
}

export interface EngineResult {
  code: number;
  reason: string;
  /** True when the session is still alive on the server (detach, give-up, killed client). */
  resumable: boolean;
  /** A session was attached at least once (false: the first login failed). */
  wasUp: boolean;
}

/** What the status line shows, read from the engine at each redraw. */
export interface EngineSnapshot {
  phase: Phase;
  dialing: boolean;
  attempt: number;
  lastReason: string;
  /** ms since the last byte from the server. */
  sinceContactMs: number;
  /** ms until the next re-dial, when one is scheduled. */
  nextAttemptInMs: number | undefined;
}

export class Engine {
  private readonly settings: CoreSettings;
  private state: CoreState;
  private conn: Connection | undefined;
  private generation = 0;
  private retryTimer: TimerId | undefined;
  private freshAttemptTimer: TimerId | undefined;
  /** Dials in flight by id: how to call each off, and whether the server has answered it. */
  private readonly dials = new Map<number, { abort: AbortController; answered: boolean }>();
  private dialSeq = 0;
  private readonly liveness: LivenessMonitor;
  private stopWatching: (() => void) | undefined;
  /** When the last byte arrived on a link that is gone: the status line counts from it. */
  private lastContactAt: number | undefined;
  private finish!: (r: EngineResult) => void;

  constructor(private readonly o: EngineOptions) {
    this.settings = { retry: o.retry, firstLoginWindowMs: o.firstLoginWindowMs };
    this.state = initialState(this.settings, o.seed ?? randomInt(2 ** 32 - 1));
    this.liveness = new LivenessMonitor(o.clock, o.liveness, {
      probe: () => this.conn?.ping(),
      doubt: () => this.feed({ type: 'link-doubt', at: this.now() }),
      dead: (silentMs) => this.feed({ type: 'link-lost', at: this.now(), reason: `no reply from the server for ${Math.round(silentMs / 1000)}s` }),
      alive: () => this.feed({ type: 'link-alive', at: this.now() }),
    });
  }

  run(): Promise<EngineResult> {
    const done = new Promise<EngineResult>((resolve) => (this.finish = resolve));
    this.stopWatching = this.o.watchNetwork?.((reason) => this.networkChanged(reason));
    this.feed({ type: 'start', at: this.now() });
    return done;
  }

  get phase(): Phase {
    return this.state.phase;
  }

  /** The link of the moment, when one is up. */
  get connection(): Connection | undefined {
    return this.conn;
  }

  snapshot(): EngineSnapshot {
    const s = this.state;
    const now = this.now();
    return {
      phase: s.phase,
      dialing: s.dialsInFlight > 0,
      attempt: s.attempt,
      lastReason: s.lastReason,
      sinceContactMs: now - (this.conn?.lastByteAt ?? this.lastContactAt ?? s.downSince ?? now),
      nextAttemptInMs: s.nextAttemptAt !== undefined ? Math.max(0, s.nextAttemptAt - now) : undefined,
    };
  }

  /** `~R`: drop the link and dial now. */
  redialNow(reason: string): void {
    this.feed({ type: 'redial-now', at: this.now(), reason });
  }

  /** Leaves the session running on the server and ends this client (`~.`, SIGTERM). */
  detach(reason?: string): void {
    this.feed({ type: 'detach', at: this.now(), ...(reason !== undefined ? { reason } : {}) });
  }

  /** Ends the run with `code`, the session not resumable (stream mode's hang-up). */
  quit(code: number, reason: string): void {
    this.feed({ type: 'quit', at: this.now(), code, reason });
  }

  /** A network change or a wake from sleep (also called by the watcher given in options). */
  networkChanged(reason: string): void {
    const addr = this.conn?.localAddress;
    const localAddressGone = this.conn !== undefined && !isLocalAddress(addr);
    this.o.debug?.(`network changed (${reason})${localAddressGone ? `: local address ${addr} is gone` : ''}`);
    this.feed({ type: 'network-changed', at: this.now(), reason: localAddressGone ? `${reason}: local address ${addr} is gone` : reason, localAddressGone });
  }

  private now(): number {
    return this.o.clock.now();
  }

  private feed(input: Input): void {
    const [next, effects] = step(this.settings, this.state, input);
    this.state = next;
    for (const effect of effects) this.apply(effect);
  }

  private apply(e: Effect): void {
    switch (e.type) {
      case 'dial':
        void this.dialAndAttach(e.first, e.deadlineMs);
        break;
      case 'drop-link':
        this.dropLink(e.reason);
        break;
      case 'schedule-retry':
        this.cancelRetry();
        this.cancelFreshAttempt();
        this.o.debug?.(`re-dial ${this.state.attempt} in ${e.delayMs} ms (${this.state.lastReason})`);
        this.retryTimer = this.o.clock.setTimeout(() => {
          this.retryTimer = undefined;
          this.feed({ type: 'retry-due', at: this.now() });
        }, e.delayMs);
        break;
      case 'cancel-retry':
        this.cancelRetry();
        this.cancelFreshAttempt();
        break;
      case 'schedule-fresh-attempt':
        this.cancelFreshAttempt();
        this.freshAttemptTimer = this.o.clock.setTimeout(() => {
          this.freshAttemptTimer = undefined;
          const answered = [...this.dials.values()].some((d) => d.answered);
          this.feed({ type: 'fresh-attempt-due', at: this.now(), answered });
        }, e.delayMs);
        break;

      case 'status':
        if (e.show) this.o.status?.show();
        else this.o.status?.hide();
        break;
      case 'link-back':
        this.o.attachment.linkBack?.();
        break;
      case 'check-link':
        this.liveness.checkNow();
        break;
      case 'event':
        this.o.onEvent({ event: e.event, attempt: e.attempt, reason: e.reason, downtimeMs: e.downtimeMs, code: e.code });
        break;
      case 'exit':
        this.end({ code: e.code, reason: e.reason, resumable: e.resumable, wasUp: this.state.wasUp });
        break;
    }
  }

  private async dialAndAttach(first: boolean, deadlineMs: number | undefined): Promise<void> {
    const id = ++this.dialSeq;
    const dial = { abort: new AbortController(), answered: false };
    this.dials.set(id, dial);
    const watch: DialWatch = { signal: dial.abort.signal, answered: () => (dial.answered = true) };
    let conn: Connection;
    try {
      conn = await dialWithin(this.o.connector.dial(first, watch), this.o.clock, deadlineMs);
    } catch (err) {
      dial.abort.abort(); // past the give-up deadline, the dial itself is still running
      if (!this.dials.delete(id)) return; // called off: nobody waits for its answer
      const f = dialFailure(err);
      this.o.debug?.(`dial failed (${f.kind}): ${f.message}`);
      this.feed({ type: 'failed', at: this.now(), reason: f.message, kind: f.kind, retryable: f.retryable });
      return;
    }
    if (!this.dials.delete(id) || finished(this.state)) {
      conn.destroy();
      return;
    }
    this.callOffDials(); // the first to connect is the link
    const gen = ++this.generation;
    this.conn = conn;
    this.o.linkHooks?.up(conn);
    this.feed({ type: 'connected', at: this.now() });
    conn.onBytes(() => this.liveness.onBytesReceived());
    conn.onClose((reason) => {
      if (gen === this.generation) this.feed({ type: 'link-lost', at: this.now(), reason });
    });
    this.liveness.start();
    this.o.attachment.attach(conn, this.linkFor(gen));
  }

  /** The attachment's way back in, valid for one link only. */
  private linkFor(gen: number): AttachLink {
    const live = () => gen === this.generation && !finished(this.state);
    const when = (input: (at: number) => Input) => () => {
      if (live()) this.feed(input(this.now()));
    };
    return {
      get current() {
        return live();
      },
      attached: when((at) => ({ type: 'attached', at })),
      exited: (status) => when((at) => ({ type: 'remote-exit', at, status }))(),
      gone: when((at) => ({ type: 'session-gone', at })),
      detached: (reason) => when((at) => ({ type: 'detach', at, ...(reason !== undefined ? { reason } : {}) }))(),
      failed: (reason, retryable) => when((at) => ({ type: 'failed', at, reason, kind: 'session', retryable }))(),
    };
  }

  private dropLink(reason: string): void {
    if (this.conn) {
      this.lastContactAt = this.conn.lastByteAt;
      this.o.linkHooks?.down();
      this.o.debug?.(`link dropped: ${reason}`);
    }
    this.generation++;
    this.callOffDials();
    this.liveness.stop();
    this.o.attachment.linkDropped();
    this.conn?.destroy();
    this.conn = undefined;
  }

  private callOffDials(): void {
    for (const d of this.dials.values()) d.abort.abort();
    this.dials.clear();
  }

  private cancelFreshAttempt(): void {
    if (this.freshAttemptTimer !== undefined) this.o.clock.clearTimeout(this.freshAttemptTimer);
    this.freshAttemptTimer = undefined;
  }

  private cancelRetry(): void {
    if (this.retryTimer !== undefined) this.o.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /**
   * Stops every timer and watcher, closes the link politely, and resolves run(). Runs
   * once: the core emits a single `exit` and takes no input after it.
   */
  private end(result: EngineResult): void {
    this.stopWatching?.();
    this.o.status?.hide();
    this.cancelRetry();
    this.cancelFreshAttempt();
    this.callOffDials();
    this.liveness.stop();
    const conn = this.conn;
    this.generation++;
    this.conn = undefined;
    if (conn) this.o.linkHooks?.down();
    if (conn && !conn.closed) conn.end();
    this.finish(result);
  }
}

function dialFailure(err: unknown): { kind: FailureKind; message: string; retryable: boolean } {
  if (err instanceof DialError) return err.failure;
  if (err instanceof DialDeadlinePassed) return { kind: 'timeout', message: err.message, retryable: true };
  return { kind: 'network', message: String((err as Error)?.message ?? err), retryable: true };
}
