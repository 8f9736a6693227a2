import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, createSystemClock, systemClock } from '../../src/platform/clock.js';

test('timers fire in due order, each seeing its own due time', () => {
  const c = new FakeClock(1000);
  const seen: string[] = [];
  c.setTimeout(() => seen.push(`b@${c.now()}`), 20);
  c.setTimeout(() => seen.push(`a@${c.now()}`), 10);
  c.setTimeout(() => seen.push(`b2@${c.now()}`), 20);
  assert.equal(c.pending(), 3);
  c.advance(15);
  assert.deepEqual(seen, ['a@1010']);
  assert.equal(c.now(), 1015);
  c.advance(5);
  assert.deepEqual(seen, ['a@1010', 'b@1020', 'b2@1020']);
  assert.equal(c.pending(), 0);
});

test('timers scheduled during advance fire in the same advance when due', () => {
  const c = new FakeClock();
  const seen: number[] = [];
  const tick = (): void => {
    seen.push(c.now());
    c.setTimeout(tick, 100);
  };
  c.setTimeout(tick, 100);
  c.advance(350);
  assert.deepEqual(seen, [100, 200, 300]);
  assert.equal(c.now(), 350);
  assert.equal(c.pending(), 1);
});

test('zero and negative delays fire on the next advance, clearTimeout cancels', () => {
  const c = new FakeClock();
  let n = 0;
  c.setTimeout(() => n++, 0);
  c.setTimeout(() => n++, -5);
  const id = c.setTimeout(() => (n += 100), 10);
  c.clearTimeout(id);
  c.advance(0);
  assert.equal(n, 2);
  c.advance(100);
  assert.equal(n, 2);
  assert.equal(c.pending(), 0);
});

test('jump moves time first, then runs overdue timers late (a wake from sleep)', () => {
  const c = new FakeClock();
  const seen: number[] = [];
  c.setTimeout(() => seen.push(c.now()), 100);
  c.setTimeout(() => seen.push(c.now()), 5000);
  c.jump(60_000);
  assert.deepEqual(seen, [60_000, 60_000]);
});

test('advance rejects a negative duration', () => {
  assert.throws(() => new FakeClock().advance(-1), RangeError);
});

test('system clock: real timers, optional unref', async () => {
  const t0 = systemClock.now();
  assert.ok(Math.abs(t0 - Date.now()) < 1000);
  const c = createSystemClock({ unref: true });
  await new Promise<void>((resolve) => c.setTimeout(resolve, 1));
  let fired = false;
  const id = c.setTimeout(() => (fired = true), 1);
  c.clearTimeout(id);
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(fired, false);
});
