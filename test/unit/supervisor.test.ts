import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialState, step, type CoreSettings, type CoreState, type Effect, type Input } from '../../src/core/supervisor.js';
import { decideRetry, retrySettings, type RetryOptions } from '../../src/core/policy.js';
import { backoffReset } from '../../src/core/backoff.js';
import type { PolicyContext, ReconnectPolicy } from '../../src/contracts/events.js';
import type { FailureKind } from '../../src/contracts/failure.js';

const kinds = (effects: Effect[]) => effects.map((e) => (e.type === 'event' ? `event:${e.event}` : e.type));

type FailedInput = { type: 'failed'; at: number; reason: string; retryable: boolean; kind?: FailureKind };

/** The pure core with its state kept between inputs, as the engine keeps it. */
class Supervisor {
  state: CoreState;
  private readonly settings: CoreSettings;

  constructor(policy: ReconnectPolicy | RetryOptions, seed = 1, firstLoginWindowMs = 0) {
    const retry = typeof policy === 'function' ? retrySettings({ custom: policy }) : retrySettings(policy);
    this.settings = { retry, firstLoginWindowMs };
    this.state = initialState(this.settings, seed);
  }

  /** Feeds one input ('failed' defaults to a refused connect, which the server saw). */
  handle(input: Input | FailedInput): Effect[] {
    const full: Input = input.type === 'failed' ? { kind: 'refused', ...input } : input;
    const [next, effects] = step(this.settings, this.state, full);
    this.state = next;
    return effects;
  }
}

function attachedSupervisor(policy: ReconnectPolicy | RetryOptions = {}): Supervisor {
  const s = new Supervisor(policy);
  s.handle({ type: 'start', at: 0 });
  s.handle({ type: 'connected', at: 100 });
  s.handle({ type: 'attached', at: 150 });
  return s;
}

/** The default schedule asked directly, with no jitter state carried between calls. */
function defaultDelay(o: RetryOptions, ctx: PolicyContext): number | 'give-up' {
  const settings = retrySettings(o);
  const [d] = decideRetry(settings, { ...ctx, serverSaw: true, attemptTookMs: 0 }, backoffReset(settings.backoff), 1);
  return d === 'give-up' ? d : d.delayMs;
}

test('start dials once and reports connecting', () => {
  const s = new Supervisor({});
  assert.deepEqual(kinds(s.handle({ type: 'start', at: 0 })), ['event:connecting', 'dial']);
  assert.equal(s.state.phase, 'connecting');
});

test('the first connection fails fast with 255 and is never re-dialed', () => {
  const s = new Supervisor(() => 0);
  s.handle({ type: 'start', at: 0 });
  const effects = s.handle({ type: 'failed', at: 10, reason: 'connect to host x port 22: connection refused', retryable: true });
  assert.ok(effects.some((e) => e.type === 'exit' && e.code === 255 && e.reason.includes('refused')));
  assert.ok(!effects.some((e) => e.type === 'dial' || e.type === 'schedule-retry'));
  assert.equal(s.state.phase, 'exited');
});

test('a lost link drops the transport, shows the status line and re-dials at once', () => {
  const s = attachedSupervisor();
  const effects = s.handle({ type: 'link-lost', at: 1000, reason: 'connection reset' });
  assert.deepEqual(kinds(effects), ['drop-link', 'status', 'event:disconnected', 'schedule-retry']);
  const retry = effects.find((e) => e.type === 'schedule-retry');
  assert.equal(retry?.type === 'schedule-retry' && retry.delayMs, 0);
  assert.deepEqual(kinds(s.handle({ type: 'retry-due', at: 1000 })), ['event:reconnecting', 'dial', 'schedule-fresh-attempt']);
});

test('reattaching hides the status line and reports reconnected with the downtime', () => {
  const s = attachedSupervisor();
  s.handle({ type: 'link-lost', at: 1000, reason: 'connection reset' });
  s.handle({ type: 'retry-due', at: 1000 });
  s.handle({ type: 'connected', at: 1200 });
  const effects = s.handle({ type: 'attached', at: 1400 });
  assert.deepEqual(kinds(effects), ['status', 'event:reconnected', 'event:attached']);
  const reconnected = effects.find((e) => e.type === 'event' && e.event === 'reconnected');
  assert.equal(reconnected?.type === 'event' && reconnected.downtimeMs, 400);
  assert.equal(s.state.phase, 'attached');
  assert.equal(s.state.attempt, 0);
});

test('failed re-dials back off by the policy and count attempts', () => {
  const seen: PolicyContext[] = [];
  const s = attachedSupervisor((ctx) => {
    seen.push(ctx);
    return 1000 * ctx.attempt;
  });
  s.handle({ type: 'link-lost', at: 10_000, reason: 'reset' });
  s.handle({ type: 'retry-due', at: 10_000 });
  const effects = s.handle({ type: 'failed', at: 12_000, reason: 'connection refused', retryable: true });
  assert.deepEqual(effects, [{ type: 'drop-link', reason: 'connection refused' }, { type: 'schedule-retry', delayMs: 2000 }]);
  assert.deepEqual(seen.map((c) => [c.attempt, c.downtimeMs]), [[1, 0], [2, 2000]]);
});

test('a link lost while reattaching (connected, no attached report yet) is a failed attempt, not ignored', () => {
  const s = attachedSupervisor((ctx) => 500 * ctx.attempt);
  s.handle({ type: 'link-lost', at: 1000, reason: 'connection reset' });
  s.handle({ type: 'retry-due', at: 1500 });
  s.handle({ type: 'connected', at: 1600 });
  const effects = s.handle({ type: 'link-lost', at: 1700, reason: 'connection reset' });
  assert.deepEqual(effects, [{ type: 'drop-link', reason: 'connection reset' }, { type: 'schedule-retry', delayMs: 1000 }]);
  assert.equal(s.state.phase, 'reconnecting');
  assert.equal(s.state.attempt, 2);
  // A custom policy keeps its own schedule: no fresh attempts of ours beside it.
  assert.deepEqual(kinds(s.handle({ type: 'retry-due', at: 2700 })), ['event:reconnecting', 'dial']);
});

test('a link lost during the very first attach ends like a failed first connection: 255', () => {
  const s = new Supervisor(() => 0);
  s.handle({ type: 'start', at: 0 });
  s.handle({ type: 'connected', at: 100 });
  const effects = s.handle({ type: 'link-lost', at: 200, reason: 'connection reset' });
  assert.ok(effects.some((e) => e.type === 'exit' && e.code === 255 && e.reason === 'connection reset'));
  assert.equal(s.state.phase, 'exited');
});

test('a policy that gives up ends with 255 and a gave-up event', () => {
  const s = attachedSupervisor({ maxAttempts: 2 });
  s.handle({ type: 'link-lost', at: 0, reason: 'reset' });
  for (let i = 0; i < 2; i++) {
    s.handle({ type: 'retry-due', at: i });
    const effects = s.handle({ type: 'failed', at: i, reason: 'connection refused', retryable: true });
    if (i === 1) {
      assert.deepEqual(kinds(effects), ['drop-link', 'status', 'event:gave-up', 'exit']);
      const exit = effects.find((e) => e.type === 'exit');
      assert.equal(exit?.type === 'exit' && exit.code, 255);
    }
  }
  assert.equal(s.state.phase, 'gave-up');
});

test('give-up-after never waits past its deadline', () => {
  for (let attempt = 1; attempt < 12; attempt++) {
    const d = defaultDelay({ giveUpAfterMs: 5_000 }, { attempt, downtimeMs: 4_000, reason: 'x' });
    assert.ok(typeof d === 'number' && d <= 1_000, `attempt ${attempt}: ${String(d)}`);
  }
  assert.equal(defaultDelay({ giveUpAfterMs: 5_000 }, { attempt: 3, downtimeMs: 5_000, reason: 'x' }), 'give-up');
});

test('a host key change after a re-dial is not retried', () => {
  const s = attachedSupervisor();
  s.handle({ type: 'link-lost', at: 0, reason: 'reset' });
  s.handle({ type: 'retry-due', at: 0 });
  const effects = s.handle({ type: 'failed', at: 5, reason: 'host key changed', retryable: false });
  assert.ok(effects.some((e) => e.type === 'exit' && e.code === 255));
  assert.equal(s.state.phase, 'exited');
});

test('doubt shows the status line; any byte brings the session back without a re-dial', () => {
  const s = attachedSupervisor();
  assert.deepEqual(kinds(s.handle({ type: 'link-doubt', at: 5_000 })), ['status']);
  assert.equal(s.state.phase, 'doubt');
  // Back on the same link: the keys kept meanwhile go out and the screen is redrawn.
  assert.deepEqual(s.handle({ type: 'link-alive', at: 5_500 }), [{ type: 'status', show: false }, { type: 'link-back' }]);
  assert.equal(s.state.phase, 'attached');
  assert.deepEqual(s.handle({ type: 'link-alive', at: 5_600 }), [], 'nothing to do when it was never in doubt');
});

function exitOf(effects: Effect[]): Extract<Effect, { type: 'exit' }> | undefined {
  return effects.find((e): e is Extract<Effect, { type: 'exit' }> => e.type === 'exit');
}

test('every end says whether the session is left to resume', () => {
  const first = new Supervisor(() => 0);
  first.handle({ type: 'start', at: 0 });
  assert.equal(exitOf(first.handle({ type: 'failed', at: 1, reason: 'refused', retryable: true }))?.resumable, false, 'never attached');
  assert.equal(exitOf(attachedSupervisor().handle({ type: 'detach', at: 0 }))?.resumable, true, '~.');
  assert.equal(exitOf(attachedSupervisor().handle({ type: 'remote-exit', at: 0, status: 0 }))?.resumable, false, 'the shell ended');
  const keyChanged = attachedSupervisor();
  keyChanged.handle({ type: 'link-lost', at: 0, reason: 'reset' });
  keyChanged.handle({ type: 'retry-due', at: 0 });
  assert.equal(exitOf(keyChanged.handle({ type: 'failed', at: 5, reason: 'host key changed', retryable: false }))?.resumable, true, 'still on the server');
});

test('a session killed from elsewhere ends with 255 and nothing to resume', () => {
  const s = attachedSupervisor();
  const effects = s.handle({ type: 'session-gone', at: 0 });
  assert.deepEqual(kinds(effects), ['cancel-retry', 'status', 'event:exit', 'exit']);
  assert.deepEqual(exitOf(effects), { type: 'exit', code: 255, reason: 'the session was ended on the server', resumable: false });
  assert.equal(s.state.phase, 'exited');
});

test('~R drops a live link and dials now; ~. detaches with 255', () => {
  const s = attachedSupervisor();
  assert.deepEqual(kinds(s.handle({ type: 'redial-now', at: 0, reason: '~R' })), ['drop-link', 'status', 'event:disconnected', 'event:reconnecting', 'dial', 'schedule-fresh-attempt']);
  const s2 = attachedSupervisor();
  const effects = s2.handle({ type: 'detach', at: 0 });
  assert.ok(effects.some((e) => e.type === 'exit' && e.code === 255 && e.reason === 'detached'));
});

test('the remote exit status is the exit code, and nothing happens after the end', () => {
  const s = attachedSupervisor();
  const effects = s.handle({ type: 'remote-exit', at: 0, status: 7 });
  assert.ok(effects.some((e) => e.type === 'exit' && e.code === 7));
  assert.deepEqual(s.handle({ type: 'link-lost', at: 1, reason: 'x' }), []);
});

test('a stale retry timer during an in-flight dial does not dial twice', () => {
  const s = attachedSupervisor();
  s.handle({ type: 'link-lost', at: 0, reason: 'reset' });
  s.handle({ type: 'retry-due', at: 0 });
  assert.deepEqual(s.handle({ type: 'retry-due', at: 1 }), []);
  assert.deepEqual(s.handle({ type: 'redial-now', at: 1, reason: 'network changed' }), []);
});

test('the default schedule re-dials at once, then backs off exponentially up to --backoff-max', () => {
  const s = attachedSupervisor({ backoffMaxMs: 4_000 });
  s.handle({ type: 'link-lost', at: 0, reason: 'reset' });
  const delays = [s.state.nextAttemptAt];
  for (let i = 0; i < 7; i++) {
    const at = s.state.nextAttemptAt ?? 0;
    s.handle({ type: 'retry-due', at });
    const retry = s.handle({ type: 'failed', at, reason: 'connection refused', retryable: true }).find((e) => e.type === 'schedule-retry');
    delays.push(retry?.type === 'schedule-retry' ? retry.delayMs : undefined);
  }
  assert.equal(delays[0], 0);
  const ms = delays as number[];
  assert.ok(ms[2]! > ms[1]! && ms[1]! > 0, `grows: ${ms.join(',')}`);
  assert.ok(ms.every((d) => d <= 4_000), `capped: ${ms.join(',')}`);
  assert.ok(ms.slice(5).every((d) => d >= 3_200), `reaches the cap: ${ms.join(',')}`);
});
