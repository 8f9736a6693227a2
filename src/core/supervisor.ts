/**
 * The reconnect core: a pure state machine shared by every mode (a shell, a stream
 * command, a `-N` tunnel). It owns no sockets, no timers and no hidden state: the engine
 * (engine/engine.ts) feeds it inputs stamped with the time and carries out the effects
 * it returns. The backoff and the random source are part of the state, so a test can
 * replay any sequence from a seed. Behaviour: docs/BEHAVIOUR.md §2, §3 and §5.
 *
 *   connecting ──dial+attach ok──> attached <──link-alive── doubt
 *     │    ↺ transient fault          │  └──link-doubt──────────┘│
 *     │      within the login window  link-lost, network change  link-lost
 *   other failure: exit 255           v                          v
 *                                 reconnecting ──attach ok──> attached (reconnected)
 *                                     │ policy says give up
 *                                     v
 *                                  gave-up (255)
 */
import type { SessionEventName } from '../contracts/events.js';
import { serverSaw, transientLoginFault, type FailureKind } from '../contracts/failure.js';
import { backoffReset, type BackoffState } from './backoff.js';
import { decideRetry, MAX_DIALS_IN_FLIGHT, UNSEEN_RETRY_INTERVAL_MS, type RetrySettings } from './policy.js';
import { seedRandom, type RandomState } from './random.js';

export type Phase = 'connecting' | 'attached' | 'doubt' | 'reconnecting' | 'exited' | 'gave-up';

export type Input =
  | { type: 'start'; at: number }
  | { type: 'connected'; at: number }
  | { type: 'attached'; at: number }
  | { type: 'failed'; at: number; reason: string; kind: FailureKind; retryable: boolean }
  | { type: 'link-doubt'; at: number }
  | { type: 'link-alive'; at: number }
  | { type: 'link-lost'; at: number; reason: string }
  | { type: 'retry-due'; at: number }
  /**
   * The fresh-attempt timer fell due while re-dials are in flight. `answered`: one of
   * them has heard from the server (it is logging in, just slowly), so none is started.
   */
  | { type: 'fresh-attempt-due'; at: number; answered: boolean }
  /** `~R`: drop whatever link there is and dial at once. */
  | { type: 'redial-now'; at: number; reason: string }
  /** Local addresses or routes changed, or the machine woke from sleep. */
  | { type: 'network-changed'; at: number; reason: string; localAddressGone: boolean }
  | { type: 'remote-exit'; at: number; status: number }
  /** The session vanished on the server without a status (`--kill` from elsewhere). */
  | { type: 'session-gone'; at: number }
  /** `~.`, a takeover, or stayssh told to stop: the session stays on the server. */
  | { type: 'detach'; at: number; reason?: string }
  /** The client ends the run and the session with it (stream mode's hang-up). */
  | { type: 'quit'; at: number; code: number; reason: string };

export type Effect =
  /** Dial (and then attach). `deadlineMs`: give the attempt up after this long (the give-up limit). */
  | { type: 'dial'; attempt: number; first: boolean; deadlineMs?: number }
  | { type: 'drop-link'; reason: string }
  /** The next dial after this long; any fresh-attempt timer is cancelled. */
  | { type: 'schedule-retry'; delayMs: number }
  /** Cancels both timers: the retry and the fresh attempt. */
  | { type: 'cancel-retry' }
  /** Feed `fresh-attempt-due` after this long, unless cancelled (one timer; a new one replaces it). */
  | { type: 'schedule-fresh-attempt'; delayMs: number }
  | { type: 'status'; show: boolean }
  /** The link answered again after doubt, no re-dial: send the kept keys, redraw the screen. */
  | { type: 'link-back' }
  /** The network changed under a link that may still work: probe it now. */
  | { type: 'check-link' }
  | { type: 'event'; event: SessionEventName; attempt?: number; reason?: string; downtimeMs?: number; code?: number }
  /** `resumable`: the session still lives on the server, so say how to resume it. */
  | { type: 'exit'; code: number; reason: string; resumable: boolean };

export interface CoreSettings {
  readonly retry: RetrySettings;
  /**
   * ms from the start within which a transient fault of the first login (a reset, a broken
   * handshake) is retried: ConnectTimeout, as that is how long the user agreed to wait.
   */
  readonly firstLoginWindowMs: number;
}

export interface CoreState {
  readonly phase: Phase;
  /** Re-dial attempts since the link was lost (or login retries before the first attach). */
  readonly attempt: number;
  /** When the link was last known good (start of the current outage). */
  readonly downSince: number | undefined;
  /** When the run started (the first login's window counts from it). */
  readonly startedAt: number | undefined;
  /** True once a session was attached: only such sessions are re-dialed. */
  readonly wasUp: boolean;
  /**
   * Dials in flight: one, or while re-dials go unanswered, up to MAX_DIALS_IN_FLIGHT (a
   * fresh one every UNSEEN_RETRY_INTERVAL_MS). The first to connect is the link; the
   * engine cancels the others. `dialStartedAt`: when the newest started.
   */
  readonly dialsInFlight: number;
  readonly dialStartedAt: number | undefined;
  /** A dial has connected and its attach is under way: no fresh attempt meanwhile. */
  readonly attaching: boolean;
  /** The last failure of this outage reached the server: back off, no overlapping dials. */
  readonly lastFailureSeen: boolean;
  /** When the scheduled retry falls due (for the status line). */
  readonly nextAttemptAt: number | undefined;
  readonly lastReason: string;
  readonly backoff: BackoffState;
  readonly random: RandomState;
}

export function initialState(settings: CoreSettings, seed: number): CoreState {
  return {
    phase: 'connecting',
    attempt: 0,
    downSince: undefined,
    startedAt: undefined,
    wasUp: false,
    dialsInFlight: 0,
    dialStartedAt: undefined,
    attaching: false,
    lastFailureSeen: false,
    nextAttemptAt: undefined,
    lastReason: '',
    backoff: backoffReset(settings.retry.backoff),
    random: seedRandom(seed),
  };
}

export type Step = [CoreState, Effect[]];

export function finished(s: CoreState): boolean {
  return s.phase === 'exited' || s.phase === 'gave-up';
}

/** Feeds one input; returns the next state and the effects to carry out, in order. */
export function step(c: CoreSettings, s: CoreState, input: Input): Step {
  if (finished(s)) return [s, []];
  switch (input.type) {
    case 'start':
      return dial({ ...s, phase: 'connecting', startedAt: input.at }, c, input.at, 'connecting');

    case 'connected':
      // The first dial to connect is the link: the engine cancels any other in flight.
      return [{ ...s, dialsInFlight: 1, attaching: true }, [{ type: 'cancel-retry' }, { type: 'event', event: 'connected', attempt: s.attempt }]];

    case 'attached': {
      const downtimeMs = s.downSince !== undefined ? input.at - s.downSince : undefined;
      const effects: Effect[] = [{ type: 'status', show: false }];
      if (s.wasUp) effects.push({ type: 'event', event: 'reconnected', attempt: s.attempt, downtimeMs });
      effects.push({ type: 'event', event: 'attached', attempt: s.attempt });
      const next: CoreState = { ...s, phase: 'attached', attempt: 0, downSince: undefined, wasUp: true, dialsInFlight: 0, dialStartedAt: undefined, attaching: false, lastFailureSeen: false, backoff: backoffReset(c.retry.backoff) };
      return [next, effects];
    }

    case 'failed':
      return failed(c, s, input);

    case 'link-doubt':
      if (s.phase !== 'attached') return [s, []];
      return [{ ...s, phase: 'doubt', downSince: s.downSince ?? input.at }, [{ type: 'status', show: true }]];

    case 'link-alive':
      if (s.phase !== 'doubt') return [s, []];
      return [{ ...s, phase: 'attached', downSince: undefined }, [{ type: 'status', show: false }, { type: 'link-back' }]];

    case 'link-lost': {
      // Lost between dialing and the attached report: that attempt failed. Ignoring it
      // left the session waiting forever for a report that could no longer come.
      if (s.dialsInFlight > 0) return failed(c, s, { at: input.at, reason: input.reason, kind: 'reset', retryable: true });
      if (s.phase !== 'attached' && s.phase !== 'doubt') return [s, []];
      const lost: CoreState = { ...s, downSince: s.downSince ?? input.at };
      const [next, effects] = planRetry(c, lost, input.at, input.reason, true);
      return [next, [{ type: 'drop-link', reason: input.reason }, { type: 'status', show: true }, { type: 'event', event: 'disconnected', reason: input.reason }, ...effects]];
    }

    case 'retry-due':
      if ((s.phase !== 'reconnecting' && s.phase !== 'connecting') || s.dialsInFlight > 0) return [s, []];
      return dial(s, c, input.at, s.phase === 'connecting' ? 'connecting' : 'reconnecting');

    case 'fresh-attempt-due':
      // Connects that merely time out cost the server nothing: while none of those in
      // flight has heard from it, a fresh one every ~2 s catches the path's return at once
      // instead of at the end of a 5 s connect deadline (docs/BEHAVIOUR.md §3).
      if (s.phase !== 'reconnecting' || s.dialsInFlight === 0 || s.attaching || s.lastFailureSeen || input.answered) return [s, []];
      if (s.dialsInFlight >= MAX_DIALS_IN_FLIGHT) return [s, [{ type: 'schedule-fresh-attempt', delayMs: UNSEEN_RETRY_INTERVAL_MS }]];
      return dial({ ...s, attempt: s.attempt + 1 }, c, input.at, 'reconnecting');

    case 'redial-now':
      return redialNow(c, s, input.at, input.reason);

    case 'network-changed': {
      // A new network is usually reachable at once: the backoff starts again from "now".
      const fresh: CoreState = { ...s, backoff: backoffReset(c.retry.backoff) };
      if (s.phase === 'reconnecting' || input.localAddressGone) return redialNow(c, fresh, input.at, input.reason);
      if (s.phase === 'attached' || s.phase === 'doubt') return [fresh, [{ type: 'check-link' }]];
      return [fresh, []];
    }

    case 'remote-exit':
      return end(s, input.status, 'remote exited', false, [{ type: 'event', event: 'exit', code: input.status }]);

    case 'session-gone': {
      // Like a remote shell killed by a signal under ssh: 255, and nothing left to resume.
      const reason = 'the session was ended on the server';
      return end(s, 255, reason, false, [{ type: 'event', event: 'exit', code: 255, reason }]);
    }

    case 'detach': {
      const reason = input.reason ?? 'detached';
      return end(s, 255, reason, s.wasUp, [{ type: 'drop-link', reason }, { type: 'event', event: 'exit', code: 255, reason }]);
    }

    case 'quit':
      return end(s, input.code, input.reason, false, [{ type: 'event', event: 'exit', code: input.code, reason: input.reason }]);
  }
}

/** Starts a dial: `connecting` before the first attach, `reconnecting` after. */
function dial(s: CoreState, c: CoreSettings, at: number, event: 'connecting' | 'reconnecting'): Step {
  const giveUp = c.retry.custom ? undefined : c.retry.giveUpAfterMs;
  const deadlineMs = s.wasUp && giveUp !== undefined && s.downSince !== undefined ? Math.max(0, s.downSince + giveUp - at) : undefined;
  const next: CoreState = { ...s, dialsInFlight: s.dialsInFlight + 1, dialStartedAt: at, nextAttemptAt: undefined };
  const dialEffect: Effect = { type: 'dial', attempt: s.attempt, first: !s.wasUp, ...(deadlineMs !== undefined ? { deadlineMs } : {}) };
  const ev: Effect = s.attempt > 0 && event === 'connecting' ? { type: 'event', event, attempt: s.attempt, reason: s.lastReason } : { type: 'event', event, attempt: s.attempt };
  // A re-dial of a custom policy keeps to that policy's schedule: no attempts of our own.
  const fresh: Effect[] = s.wasUp && !c.retry.custom ? [{ type: 'schedule-fresh-attempt', delayMs: UNSEEN_RETRY_INTERVAL_MS }] : [];
  return [next, [ev, dialEffect, ...fresh]];
}

function failed(c: CoreSettings, s: CoreState, f: { at: number; reason: string; kind: FailureKind; retryable: boolean }): Step {
  const tookMs = s.dialStartedAt !== undefined ? f.at - s.dialStartedAt : 0;
  const saw = serverSaw(f.kind);
  if (s.dialsInFlight > 1 && f.retryable) {
    // Others are still in flight: they (and the fresh-attempt timer) carry on.
    return [{ ...s, dialsInFlight: s.dialsInFlight - 1, lastReason: f.reason, lastFailureSeen: s.lastFailureSeen || saw }, []];
  }
  const idle: CoreState = { ...s, dialsInFlight: 0, dialStartedAt: undefined, attaching: false, lastReason: f.reason, lastFailureSeen: s.lastFailureSeen || saw };
  if (!s.wasUp) {
    // The first login fails fast, like ssh: a typo must not spin forever. Only a fault of
    // the path after the server answered is retried, and only within ConnectTimeout.
    const windowEnds = (s.startedAt ?? f.at) + c.firstLoginWindowMs;
    if (f.retryable && transientLoginFault(f.kind) && f.at < windowEnds) {
      const [next, effects] = planRetry(c, idle, f.at, f.reason, true, tookMs);
      // A retry that would start after the window is no retry: ssh would have given up too.
      if (next.phase === 'gave-up' || (next.nextAttemptAt ?? f.at) >= windowEnds) return exitFirst(idle, f.reason);
      return [{ ...next, phase: 'connecting' }, [{ type: 'drop-link', reason: f.reason }, ...effects]];
    }
    return exitFirst(idle, f.reason);
  }
  if (!f.retryable) {
    return end(idle, 255, f.reason, true, [{ type: 'drop-link', reason: f.reason }, { type: 'event', event: 'exit', code: 255, reason: f.reason }]);
  }
  // The attempt may have got as far as a connection (the attach failed): let it go.
  const [next, effects] = planRetry(c, idle, f.at, f.reason, saw, tookMs);
  return [next, [{ type: 'drop-link', reason: f.reason }, ...effects]];
}

function exitFirst(s: CoreState, reason: string): Step {
  return end(s, 255, reason, false, [{ type: 'drop-link', reason }, { type: 'event', event: 'exit', code: 255, reason }]);
}

/** Asks the policy what to do after a failed attempt or a lost link. */
function planRetry(c: CoreSettings, s: CoreState, at: number, reason: string, saw: boolean, attemptTookMs = 0): Step {
  const attempt = s.attempt + 1;
  const downSince = s.downSince ?? at;
  const downtimeMs = at - downSince;
  const [decision, backoff, random] = decideRetry(c.retry, { attempt, downtimeMs, reason, serverSaw: saw, attemptTookMs }, s.backoff, s.random);
  if (decision === 'give-up') {
    const gaveUp: CoreState = { ...s, phase: 'gave-up', dialsInFlight: 0, lastReason: reason, downSince, backoff, random };
    return [
      gaveUp,
      [
        { type: 'status', show: false },
        { type: 'event', event: 'gave-up', attempt: s.attempt, reason, downtimeMs },
        { type: 'exit', code: 255, reason: `gave up after ${s.attempt} attempt(s): ${reason}`, resumable: true },
      ],
    ];
  }
  const next: CoreState = { ...s, phase: 'reconnecting', attempt, downSince, dialsInFlight: 0, lastReason: reason, nextAttemptAt: at + decision.delayMs, backoff, random };
  return [next, [{ type: 'schedule-retry', delayMs: decision.delayMs }]];
}

function redialNow(c: CoreSettings, s: CoreState, at: number, reason: string): Step {
  if (s.phase === 'reconnecting') {
    if (s.dialsInFlight > 0) return [s, []];
    const [next, effects] = dial({ ...s, lastReason: reason }, c, at, 'reconnecting');
    return [next, [{ type: 'cancel-retry' }, ...effects]];
  }
  if (s.phase !== 'attached' && s.phase !== 'doubt') return [s, []];
  const down: CoreState = { ...s, phase: 'reconnecting', attempt: 1, downSince: s.downSince ?? at, lastReason: reason, lastFailureSeen: false };
  const [next, effects] = dial(down, c, at, 'reconnecting');
  return [next, [{ type: 'drop-link', reason }, { type: 'status', show: true }, { type: 'event', event: 'disconnected', reason }, ...effects]];
}

function end(s: CoreState, code: number, reason: string, resumable: boolean, before: Effect[]): Step {
  return [
    { ...s, phase: 'exited', dialsInFlight: 0, attaching: false, nextAttemptAt: undefined },
    [{ type: 'cancel-retry' }, { type: 'status', show: false }, ...before, { type: 'exit', code, reason, resumable }],
  ];
}
