// A re-dial raced against the give-up deadline (fake clock): the limit ends the attempt
// when it falls due, not when the dial's own 5 s / 10 s deadline would have.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../src/platform/clock.js';
import { DialDeadlinePassed, dialWithin } from '../../src/engine/dial-deadline.js';
import type { Connection } from '../../src/transport/connection.js';

/** A dial that settles only when told to, and a link that records being closed. */
function pendingDial() {
  let resolve: (c: Connection) => void = () => undefined;
  const dial = new Promise<Connection>((r) => (resolve = r));
  const closed: string[] = [];
  const conn = { destroy: (why: string) => closed.push(why) } as unknown as Connection;
  return { dial, arrive: () => resolve(conn), conn, closed };
}

test('a dial that answers in time gives its link', async () => {
  const clock = new FakeClock();
  const d = pendingDial();
  const result = dialWithin(d.dial, clock, 2_000);
  clock.advance(1_999);
  d.arrive();
  assert.equal(await result, d.conn);
  assert.deepEqual(d.closed, []);
});

test('at the deadline the attempt fails, and a link arriving later is closed', async () => {
  const clock = new FakeClock();
  const d = pendingDial();
  const result = dialWithin(d.dial, clock, 2_000);
  clock.advance(2_000);
  await assert.rejects(result, DialDeadlinePassed);
  d.arrive();
  await new Promise<void>((r) => setImmediate(r));
  assert.equal(d.closed.length, 1);
});

// The time left is the core's to compute (test/unit/core-reconnect.test.ts).
test('no limit, no race', async () => {
  const d = pendingDial();
  assert.equal(dialWithin(d.dial, new FakeClock(), undefined), d.dial);
});
