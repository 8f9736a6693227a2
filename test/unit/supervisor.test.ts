import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Supervisor, type Effect } from '../../src/core/supervisor.js';
import { defaultPolicy } from '../../src/core/policy.js';
import type { PolicyContext } from '../../src/contracts/events.js';

const kinds = (effects: Effect[]) => effects.map((e) => (e.type === 'event' ? `event:${e.event}` : e.type));

function attachedSupervisor(policy = defaultPolicy({ random: () => 0.5 }).policy): Supervisor {
  const s = new Supervisor(policy);
  s.handle({ type: 'start', at: 0 });
  s.handle({ type: 'connected', at: 100 });
  s.handle({ type: 'attached', at: 150 });
  return s;
}

test('start dials once and reports connecting', () => {
  const s = new Supervisor(defaultPolicy().policy);
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
  assert.deepEqual(kinds(s.handle({ type: 'retry-due', at: 1000 })), ['event:reconnecting', 'dial']);
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
  const { policy } = defaultPolicy({ maxAttempts: 2, random: () => 0.5 });
  const s = attachedSupervisor(policy);
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
  const { policy } = defaultPolicy({ giveUpAfterMs: 5_000, random: () => 0.5 });
  for (let attempt = 1; attempt < 12; attempt++) {
    const d = policy({ attempt, downtimeMs: 4_000, reason: 'x' });
    assert.ok(typeof d === 'number' && d <= 1_000, `attempt ${attempt}: ${String(d)}`);
  }
  assert.equal(policy({ attempt: 3, downtimeMs: 5_000, reason: 'x' }), 'give-up');
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
  assert.deepEqual(kinds(s.handle({ type: 'redial-now', at: 0, reason: '~R' })), ['drop-link', 'status', 'event:disconnected', 'event:reconnecting', 'dial']);
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

test('the default policy re-dials at once, then backs off exponentially up to --backoff-max', () => {
  const { policy, reset } = defaultPolicy({ backoffMaxMs: 4_000, random: () => 0.5 });
  const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => policy({ attempt, downtimeMs: 0, reason: 'x' }));
  assert.equal(delays[0], 0);
  for (let i = 2; i < delays.length; i++) assert.ok((delays[i] as number) >= (delays[i - 1] as number), `non-decreasing: ${delays.join(',')}`);
  assert.ok((delays[2] as number) > (delays[1] as number) && (delays[1] as number) > 0, `grows: ${delays.join(',')}`);
  assert.ok(delays.every((d) => typeof d === 'number' && d <= 4_000), `capped: ${delays.join(',')}`);
  reset();
  assert.equal(policy({ attempt: 1, downtimeMs: 0, reason: 'x' }), 0);
});
