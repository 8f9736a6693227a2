// Stream mode's redial loop: a network change cuts a backoff wait short (roaming must not
// wait for the backoff), attempts keep counting, and a nudge with no wait is harmless.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/platform/clock.js';
import { redial, RedialNudge } from '../../src/stream/redial.js';
import type { StreamEvent } from '../../src/stream/stream-session.js';
import type { Connection } from '../../src/transport/connection.js';
import { DialError } from '../../src/transport/dial.js';

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const fakeConn = { tag: 'conn' } as unknown as Connection;

function refused(): DialError {
  return new DialError({ kind: 'refused', message: 'connection refused', retryable: true } as ConstructorParameters<typeof DialError>[0]);
}

test('a nudge during a backoff wait dials at once', async () => {
  const clock = new FakeClock(0);
  const nudge = new RedialNudge();
  const events: StreamEvent[] = [];
  let dials = 0;
  const result = redial({
    connector: {
      dial: async () => {
        dials++;
        if (dials === 1) throw refused();
        return fakeConn;
      },
    },
    policy: (ctx) => (ctx.attempt === 1 ? 0 : 30_000),
    clock,
    downSince: 0,
    reason: 'reset',
    isDone: () => false,
    onEvent: (e) => events.push(e),
    nudge,
  });
  clock.advance(0);
  await settle();
  assert.equal(dials, 1, 'attempt 1 goes at once and fails');
  clock.advance(1_000);
  await settle();
  assert.equal(dials, 1, 'attempt 2 waits out its 30 s backoff');
  nudge.nudge();
  await settle();
  assert.equal(dials, 2, 'the nudge dialed without waiting');
  assert.equal(await result, fakeConn);
  assert.deepEqual(events.map((e) => `${e.event}:${e.attempt}`), ['reconnecting:1', 'reconnecting:2', 'reconnected:2']);
  assert.equal(clock.pending(), 0, 'the cut-short timer was cleared');
});

test('a nudge while no wait is in progress is dropped', async () => {
  const clock = new FakeClock(0);
  const nudge = new RedialNudge();
  nudge.nudge();
  let woke = false;
  void nudge.sleep(clock, 5_000).then(() => (woke = true));
  await settle();
  assert.equal(woke, false, 'an earlier nudge does not cut a later wait');
  clock.advance(5_000);
  await settle();
  assert.equal(woke, true);
});
