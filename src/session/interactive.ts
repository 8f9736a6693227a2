/**
 * The interactive session runner: the I/O shell around the pure Supervisor. It dials,
 * attaches the multiplexer session in a pty, relays keystrokes and screen bytes, watches
 * liveness, shows the status line during outages, and carries out the supervisor's
 * effects. One generation number per link: events from a dead link are ignored.
 */
import type { ClientChannel } from 'ssh2';
import type { Connection } from '../transport/connection.js';
import type { Connector } from '../transport/connector.js';
import { DialError } from '../transport/dial.js';
import { isLocalAddress } from '../transport/local-address.js';
import type { ShimReport } from '../remote/types.js';
import { StatusLine, type StatusState } from '../terminal/status-line.js';
import { StatusTicker } from './status-ticker.js';
import { KeyRelay } from './key-relay.js';
import { repaintScreen } from './repaint.js';
import { LivenessMonitor } from '../engine/liveness.js';
import { openAttach, type AttachRequest } from './attach-channel.js';
import type { Clock, TimerId } from '../platform/clock.js';
import type { SessionEvent } from '../contracts/events.js';
import type { ResettablePolicy } from '../core/policy.js';
import { dialWithin, untilGiveUp } from '../engine/dial-deadline.js';
import { Supervisor, type Effect, type Input } from '../core/supervisor.js';
import type { TerminalPort } from '../contracts/terminal-port.js';
import { handleEscape } from './escape-actions.js';
import type { LinkHooks, NetworkWatch } from '../contracts/link-hooks.js';

export interface InteractiveOptions {
  connector: Connector;
  attach: Omit<AttachRequest, 'cols' | 'rows' | 'create'> & { create: boolean };
  terminal: TerminalPort;
  escapeChar: string;
  liveness: { intervalMs: number; countMax: number };
  policy: ResettablePolicy;
  clock: Clock;
  onEvent(event: Omit<SessionEvent, 'ts' | 'host' | 'session'>): void;
  /** Printed on the terminal's stderr (not while the screen is owned by the session). */
  notice(text: string): void;
  /**
   * The command line that lists this host's sessions, as the user would type it (their
   * user@, -p, -i...: `stayssh --list HOST` alone could list another user's, or fail).
   */
  listCommand?: string;
  linkHooks?: LinkHooks;
  watchNetwork?: NetworkWatch;
}

export interface InteractiveResult {
  code: number;
  reason: string;
  /** True when the session is still alive on the server (detach, give-up, killed client). */
  resumable: boolean;
}

export class InteractiveSession {
  private readonly supervisor: Supervisor;
  private conn: Connection | undefined;
  private channel: ClientChannel | undefined;
  private generation = 0;
  private created = false;
  private retryTimer: TimerId | undefined;
  private nextAttemptAt: number | undefined;
  private readonly status: StatusTicker;
  private readonly keys: KeyRelay;
  private readonly liveness: LivenessMonitor;
  private finish!: (r: InteractiveResult) => void;
  private stopWatching: (() => void) | undefined;
  /** When the last byte arrived on a link that is gone: the status line counts from it. */
  private lastContactAt: number | undefined;

  constructor(private readonly o: InteractiveOptions) {
    this.supervisor = new Supervisor(o.policy.policy);
    this.status = new StatusTicker(new StatusLine(o.terminal.stderr), o.clock, () => this.statusState());
    this.keys = new KeyRelay(o.escapeChar, (command) =>
      handleEscape(command, {
        detach: () => this.feed({ type: 'detach', at: o.clock.now() }),
        redial: () => this.feed({ type: 'redial-now', at: o.clock.now(), reason: 'reconnect requested (~R)' }),
        terminal: o.terminal,
        escapeChar: o.escapeChar,
        forwards: o.linkHooks?.describe,
      }),
    );
    this.liveness = new LivenessMonitor(o.clock, o.liveness, {
      probe: () => this.conn?.ping(),
      doubt: () => this.feed({ type: 'link-doubt', at: o.clock.now() }),
      dead: (silentMs) => this.feed({ type: 'link-lost', at: o.clock.now(), reason: `no reply from the server for ${Math.round(silentMs / 1000)}s` }),
      alive: () => this.feed({ type: 'link-alive', at: o.clock.now() }),
    });
  }

  run(): Promise<InteractiveResult> {
    const done = new Promise<InteractiveResult>((resolve) => (this.finish = resolve));
    const t = this.o.terminal;
    t.onInput((data) => this.keys.typed(data, this.supervisor.state.phase === 'attached' ? this.channel : undefined));
    t.onResize((cols, rows) => this.channel?.setWindow(rows, cols, 0, 0));
    this.stopWatching = this.o.watchNetwork?.((reason) => this.networkChanged(reason));
    this.feed({ type: 'start', at: this.o.clock.now() });
    return done;
  }

  /** Leaves the session running on the server and ends this client (e.g. on SIGTERM). */
  leave(reason: string): void {
    this.feed({ type: 'detach', at: this.o.clock.now(), reason });
  }

  /** A network change or a wake from sleep: check the link now, reset the backoff. */
  networkChanged(reason: string): void {
    this.o.policy.reset();
    const gone = this.conn !== undefined && !isLocalAddress(this.conn.localAddress);
    if (this.supervisor.state.phase === 'reconnecting' || gone) {
      this.feed({ type: 'redial-now', at: this.o.clock.now(), reason: gone ? `${reason}: local address ${this.conn?.localAddress} is gone` : reason });
    } else {
      this.liveness.checkNow();
    }
  }

  private feed(input: Input): void {
    for (const effect of this.supervisor.handle(input)) this.apply(effect);
  }

  private apply(e: Effect): void {
    switch (e.type) {
      case 'dial':
        void this.dialAndAttach();
        break;
      case 'drop-link':
        this.dropLink(e.reason);
        break;
      case 'schedule-retry':
        this.cancelRetry();
        this.nextAttemptAt = this.o.clock.now() + e.delayMs;
        this.retryTimer = this.o.clock.setTimeout(() => {
          this.retryTimer = undefined;
          this.feed({ type: 'retry-due', at: this.o.clock.now() });
        }, e.delayMs);
        break;
      case 'cancel-retry':
        this.cancelRetry();
        break;
      case 'status':
        if (e.show) this.status.show();
        else this.status.hide();
        break;
      case 'link-back':
        this.keys.flush(this.channel);
        if (this.channel) repaintScreen(this.channel, this.o.terminal.size());
        break;
      case 'event':
        this.o.onEvent({ event: e.event, attempt: e.attempt, reason: e.reason, downtimeMs: e.downtimeMs, code: e.code });
        break;
      case 'exit':
        this.shutdown();
        this.finish({ code: e.code, reason: e.reason, resumable: e.resumable });
        break;
    }
  }

  private async dialAndAttach(): Promise<void> {
    const gen = ++this.generation;
    const first = !this.supervisor.state.wasUp;
    let conn: Connection;
    try {
      const deadline = first ? undefined : untilGiveUp(this.o.policy.giveUpAfterMs, this.supervisor.state.downSince, this.o.clock.now());
      conn = await dialWithin(this.o.connector.dial(first), this.o.clock, deadline);
    } catch (err) {
      if (gen !== this.generation) return;
      const failure = err instanceof DialError ? err.failure : { message: String(err), retryable: true };
      this.feed({ type: 'failed', at: this.o.clock.now(), reason: failure.message, retryable: failure.retryable });
      return;
    }
    if (gen !== this.generation || this.supervisor.state.phase === 'exited' || this.supervisor.state.phase === 'gave-up') {
      conn.destroy();
      return;
    }
    this.conn = conn;
    this.o.linkHooks?.up(conn);
    this.feed({ type: 'connected', at: this.o.clock.now() });
    conn.onBytes(() => this.liveness.onBytesReceived());
    conn.onClose((reason) => {
      if (gen === this.generation) this.feed({ type: 'link-lost', at: this.o.clock.now(), reason });
    });
    this.liveness.start();
    const { cols, rows } = this.o.terminal.size();
    try {
      this.channel = await openAttach(conn, { ...this.o.attach, create: this.o.attach.create && !this.created, cols, rows }, {
        output: (data) => {
          if (gen === this.generation) this.o.terminal.write(data);
        },
        report: (r) => {
          if (gen === this.generation) this.onReport(r);
        },
        closed: (status) => {
          if (gen === this.generation) this.onChannelClosed(status);
        },
      });
      // A resize while the channel was being opened found no channel to tell (and the pty
      // was asked for at the old size): send the size of now, or the session keeps the old
      // one until the next resize.
      const now = this.o.terminal.size();
      if (gen === this.generation && (now.cols !== cols || now.rows !== rows)) this.channel.setWindow(now.rows, now.cols, 0, 0);
    } catch (err) {
      if (gen !== this.generation) return;
      this.feed({ type: 'failed', at: this.o.clock.now(), reason: `could not start the session: ${(err as Error).message}`, retryable: true });
    }
  }

  private onReport(r: ShimReport): void {
    const at = this.o.clock.now();
    switch (r.t) {
      case 'attached':
        this.created = true;
        if (r.others > 0 && !this.supervisor.state.wasUp) {
          this.o.notice(`stayssh: ${r.others} other detached session(s) on this host: ${this.o.listCommand ?? `stayssh --list ${this.o.connector.config.originalHost}`}`);
        }
        this.feed({ type: 'attached', at });
        this.keys.flush(this.channel);
        break;
      case 'exit':
        this.feed({ type: 'remote-exit', at, status: r.status });
        break;
      case 'detached':
        this.feed({ type: 'detach', at });
        break;
      case 'gone':
        this.feed({ type: 'session-gone', at });
        break;
      case 'error':
        this.feed({ type: 'failed', at, reason: r.message, retryable: false });
        break;
      default:
        break;
    }
  }

  private onChannelClosed(status: number | undefined): void {
    // The shim always reports before it ends; a channel that closes without a report
    // while the link is up means the shim could not run at all.
    const phase = this.supervisor.state.phase;
    if (phase === 'exited' || phase === 'gave-up') return;
    if (this.conn && !this.conn.closed) {
      this.feed({ type: 'failed', at: this.o.clock.now(), reason: `the remote session ended unexpectedly (status ${status ?? 'unknown'})`, retryable: false });
    }
  }

  private dropLink(_reason: string): void {
    if (this.conn) {
      this.lastContactAt = this.conn.lastByteAt;
      this.o.linkHooks?.down();
    }
    this.generation++;
    this.liveness.stop();
    this.channel = undefined;
    this.conn?.destroy();
    this.conn = undefined;
  }

  private cancelRetry(): void {
    if (this.retryTimer !== undefined) this.o.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.nextAttemptAt = undefined;
  }

  private statusState(): StatusState {
    const s = this.supervisor.state;
    const now = this.o.clock.now();
    return {
      phase: s.phase === 'doubt' ? ('doubt' as const) : s.dialing ? ('attaching' as const) : ('reconnecting' as const),
      sinceContactMs: now - (this.conn?.lastByteAt ?? this.lastContactAt ?? s.downSince ?? now),
      attempt: s.attempt,
      nextAttemptInMs: this.nextAttemptAt !== undefined ? Math.max(0, this.nextAttemptAt - now) : undefined,
      lastError: s.lastReason || undefined,
      escapeChar: this.o.escapeChar,
    };
  }

  private shutdown(): void {
    this.stopWatching?.();
    if (this.conn) this.o.linkHooks?.down();
    this.status.hide();
    this.cancelRetry();
    this.liveness.stop();
    const conn = this.conn;
    this.generation++;
    this.channel = undefined;
    this.conn = undefined;
    if (conn && !conn.closed) conn.end();
  }
}
