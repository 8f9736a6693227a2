/**
 * The session supervisor: a pure state machine. It owns no sockets and no timers; the
 * runner feeds it inputs (each stamped with the time) and carries out the effects it
 * returns. That makes every reconnect path a fast, deterministic unit test.
 *
 *   connecting ──dial+attach ok──> attached <──link-alive── doubt
 *       │                            │  └──link-doubt──────────┘│
 *   first failure: exit 255     link-lost                   link-lost
 *                                    v                          v
 *                                reconnecting ──attach ok──> attached (reconnected)
 *                                    │ policy says give up
 *                                    v
 *                                 gave-up (255)
 */
import type { PolicyContext, ReconnectPolicy, SessionEventName } from '../contracts/events.js';

export type Phase = 'connecting' | 'attached' | 'doubt' | 'reconnecting' | 'exited' | 'gave-up';

export type Input =
  | { type: 'start'; at: number }
  | { type: 'connected'; at: number }
  | { type: 'attached'; at: number }
  | { type: 'failed'; at: number; reason: string; retryable: boolean }
  | { type: 'link-doubt'; at: number }
  | { type: 'link-alive'; at: number }
  | { type: 'link-lost'; at: number; reason: string }
  | { type: 'retry-due'; at: number }
  | { type: 'redial-now'; at: number; reason: string }
  | { type: 'remote-exit'; at: number; status: number }
  /** The session vanished on the server without a status (`--kill` from elsewhere). */
  | { type: 'session-gone'; at: number }
  /** `~.`, a takeover, or stayssh told to stop: the session stays on the server. */
  | { type: 'detach'; at: number; reason?: string };

export type Effect =
  | { type: 'dial'; attempt: number }
  | { type: 'drop-link'; reason: string }
  | { type: 'schedule-retry'; delayMs: number }
  | { type: 'cancel-retry' }
  | { type: 'status'; show: boolean }
  /** The link answered again after doubt, no re-dial: send the kept keys, redraw the screen. */
  | { type: 'link-back' }
  | { type: 'event'; event: SessionEventName; attempt?: number; reason?: string; downtimeMs?: number; code?: number }
  /** `resumable`: the session still lives on the server, so say how to resume it. */
  | { type: 'exit'; code: number; reason: string; resumable: boolean };

export interface SupervisorState {
  phase: Phase;
  /** Re-dial attempts since the link was lost (0 while attached). */
  attempt: number;
  /** When the link was last known good (start of the current outage). */
  downSince: number | undefined;
  /** True once a session was attached: only such sessions are re-dialed (SPEC §2). */
  wasUp: boolean;
  /** A dial is in flight. */
  dialing: boolean;
  lastReason: string;
}

export const initialState: SupervisorState = {
  phase: 'connecting',
  attempt: 0,
  downSince: undefined,
  wasUp: false,
  dialing: false,
  lastReason: '',
};

export type Step = [SupervisorState, Effect[]];

export class Supervisor {
  state: SupervisorState = initialState;

  constructor(private readonly policy: ReconnectPolicy) {}

  /** Feeds one input; returns the effects to carry out, in order. */
  handle(input: Input): Effect[] {
    const [next, effects] = step(this.state, input, this.policy);
    this.state = next;
    return effects;
  }
}

function finished(s: SupervisorState): boolean {
  return s.phase === 'exited' || s.phase === 'gave-up';
}

/** Asks the policy what to do after a failed or lost link. */
function planRetry(s: SupervisorState, at: number, reason: string, policy: ReconnectPolicy): Step {
  const attempt = s.attempt + 1;
  const downSince = s.downSince ?? at;
  const ctx: PolicyContext = { attempt, downtimeMs: at - downSince, reason };
  const decision = policy(ctx);
  if (decision === 'give-up') {
    const state: SupervisorState = { ...s, phase: 'gave-up', dialing: false, lastReason: reason, downSince };
    return [
      state,
      [
        { type: 'status', show: false },
        { type: 'event', event: 'gave-up', attempt: s.attempt, reason, downtimeMs: ctx.downtimeMs },
        { type: 'exit', code: 255, reason: `gave up after ${s.attempt} attempt(s): ${reason}`, resumable: true },
      ],
    ];
  }
  const state: SupervisorState = { ...s, phase: 'reconnecting', attempt, downSince, dialing: false, lastReason: reason };
  return [state, [{ type: 'schedule-retry', delayMs: Math.max(0, decision) }]];
}

export function step(s: SupervisorState, input: Input, policy: ReconnectPolicy): Step {
  if (finished(s)) return [s, []];
  switch (input.type) {
    case 'start':
      return [{ ...s, phase: 'connecting', dialing: true }, [{ type: 'event', event: 'connecting', attempt: 0 }, { type: 'dial', attempt: 0 }]];

    case 'connected':
      return [s, [{ type: 'event', event: 'connected', attempt: s.attempt }]];

    case 'attached': {
      const downtimeMs = s.downSince !== undefined ? input.at - s.downSince : undefined;
      const effects: Effect[] = [{ type: 'status', show: false }];
      if (s.wasUp) effects.push({ type: 'event', event: 'reconnected', attempt: s.attempt, downtimeMs });
      effects.push({ type: 'event', event: 'attached', attempt: s.attempt });
      return [{ ...s, phase: 'attached', attempt: 0, downSince: undefined, wasUp: true, dialing: false }, effects];
    }

    case 'failed': {
      // The first connection fails fast, like ssh: a typo must not spin forever.
      if (!s.wasUp || !input.retryable) {
        const state: SupervisorState = { ...s, phase: 'exited', dialing: false, lastReason: input.reason };
        const exit: Effect = { type: 'exit', code: 255, reason: input.reason, resumable: s.wasUp };
        return [state, [{ type: 'status', show: false }, { type: 'event', event: 'exit', code: 255, reason: input.reason }, exit]];
      }
      // The attempt may have got as far as a connection (the attach failed): let it go.
      const [next, effects] = planRetry({ ...s, dialing: false }, input.at, input.reason, policy);
      return [next, [{ type: 'drop-link', reason: input.reason }, ...effects]];
    }

    case 'link-doubt':
      if (s.phase !== 'attached') return [s, []];
      return [{ ...s, phase: 'doubt', downSince: s.downSince ?? input.at }, [{ type: 'status', show: true }]];

    case 'link-alive':
      if (s.phase !== 'doubt') return [s, []];
      return [{ ...s, phase: 'attached', downSince: undefined }, [{ type: 'status', show: false }, { type: 'link-back' }]];

    case 'link-lost': {
      // Lost between dialing and the attached report: that attempt failed. Ignoring it
      // left the session waiting forever for a report that could no longer come.
      if (s.dialing) {
        return step(s, { type: 'failed', at: input.at, reason: input.reason, retryable: true }, policy);
      }
      if (s.phase !== 'attached' && s.phase !== 'doubt') return [s, []];
      const downSince = s.downSince ?? input.at;
      const lost: SupervisorState = { ...s, downSince };
      const [next, effects] = planRetry(lost, input.at, input.reason, policy);
      return [
        next,
        [
          { type: 'drop-link', reason: input.reason },
          { type: 'status', show: true },
          { type: 'event', event: 'disconnected', reason: input.reason },
          ...effects,
        ],
      ];
    }

    case 'retry-due':
      if (s.phase !== 'reconnecting' || s.dialing) return [s, []];
      return [{ ...s, dialing: true }, [{ type: 'event', event: 'reconnecting', attempt: s.attempt }, { type: 'dial', attempt: s.attempt }]];

    case 'redial-now': {
      // ~R, a network change or a wake from sleep: drop whatever we have and dial at once.
      if (s.phase === 'reconnecting') {
        if (s.dialing) return [s, []];
        return [{ ...s, dialing: true, lastReason: input.reason }, [{ type: 'cancel-retry' }, { type: 'event', event: 'reconnecting', attempt: s.attempt }, { type: 'dial', attempt: s.attempt }]];
      }
      if (s.phase !== 'attached' && s.phase !== 'doubt') return [s, []];
      const attempt = 1;
      const downSince = s.downSince ?? input.at;
      return [
        { ...s, phase: 'reconnecting', attempt, downSince, dialing: true, lastReason: input.reason },
        [
          { type: 'drop-link', reason: input.reason },
          { type: 'status', show: true },
          { type: 'event', event: 'disconnected', reason: input.reason },
          { type: 'event', event: 'reconnecting', attempt },
          { type: 'dial', attempt },
        ],
      ];
    }

    case 'remote-exit':
      return [
        { ...s, phase: 'exited', dialing: false },
        [{ type: 'cancel-retry' }, { type: 'status', show: false }, { type: 'event', event: 'exit', code: input.status }, { type: 'exit', code: input.status, reason: 'remote exited', resumable: false }],
      ];

    case 'session-gone': {
      // Like a remote shell killed by a signal under ssh: 255, and nothing left to resume.
      const reason = 'the session was ended on the server';
      return [
        { ...s, phase: 'exited', dialing: false },
        [{ type: 'cancel-retry' }, { type: 'status', show: false }, { type: 'event', event: 'exit', code: 255, reason }, { type: 'exit', code: 255, reason, resumable: false }],
      ];
    }

    case 'detach': {
      const reason = input.reason ?? 'detached';
      return [
        { ...s, phase: 'exited', dialing: false },
        [{ type: 'cancel-retry' }, { type: 'status', show: false }, { type: 'drop-link', reason }, { type: 'event', event: 'exit', code: 255, reason }, { type: 'exit', code: 255, reason, resumable: s.wasUp }],
      ];
    }
  }
}
