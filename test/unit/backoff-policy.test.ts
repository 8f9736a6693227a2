import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffNext, backoffReset, backoffSettings, INITIAL_DELAY_MS, type BackoffSettings, type BackoffState } from '../../src/core/backoff.js';
import { DEFAULT_BACKOFF_MAX_MS as MAX_DELAY_MS } from '../../src/contracts/reconnect-defaults.js';

/** The pure schedule driven step by step, as the reconnect core drives it. */
class Backoff {
  private readonly settings: BackoffSettings;
  private state: BackoffState;
  private readonly random: () => number;

  constructor(o: Partial<BackoffSettings> & { random?: () => number } = {}) {
    this.settings = backoffSettings(o);
    this.state = backoffReset(this.settings);
    this.random = o.random ?? Math.random;
  }

  get attempt(): number {
    return this.state.given;
  }

  next(): number {
    const [d, next] = backoffNext(this.settings, this.state, this.random());
    this.state = next;
    return d;
  }

  reset(): void {
    this.state = backoffReset(this.settings);
  }
}

const mid = (): number => 0.5; // no jitter: the centre of the window

test('defaults: immediate, then 250 ms doubling to the 30 s cap', () => {
  const b = new Backoff({ random: mid });
  const got = Array.from({ length: 11 }, () => b.next());
  assert.deepEqual(got, [0, 250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assert.equal(b.attempt, 11);
  assert.equal(INITIAL_DELAY_MS, 250);
  assert.equal(MAX_DELAY_MS, 30_000);
});

test('jitter stays within ±20% and never exceeds the cap', () => {
  for (const r of [0, 0.25, 0.5, 0.75, 0.999999]) {
    const b = new Backoff({ initialMs: 1000, maxMs: 5000, random: () => r });
    b.next(); // immediate
    const d2 = b.next();
    assert.ok(d2 >= 800 && d2 <= 1200, `d2=${d2} r=${r}`);
    for (let i = 0; i < 10; i++) {
      const d = b.next();
      assert.ok(d <= 5000, `over cap: ${d}`);
    }
    // at the cap the spread is kept below it: [cap·0.8, cap]
    const atCap = b.next();
    assert.ok(atCap >= 4000 && atCap <= 5000, `atCap=${atCap}`);
  }
});

test('at the cap, jitter still spreads clients (no pile-up on the cap)', () => {
  // r and 1−r reflect onto the same delay; the values below are all distinct ones.
  const values = [0, 0.1, 0.2, 0.3, 0.4, 0.5].map((r) => {
    const b = new Backoff({ initialMs: 30_000, maxMs: 30_000, immediateFirst: false, random: () => r });
    return b.next();
  });
  assert.equal(new Set(values).size, values.length, `values ${values.join(',')}`);
  assert.ok(values.every((v) => v >= 24_000 && v <= 30_000));
});

test('reset starts again from "at once"', () => {
  const b = new Backoff({ random: mid });
  b.next();
  b.next();
  b.next();
  b.reset();
  assert.equal(b.attempt, 0);
  assert.equal(b.next(), 0);
  assert.equal(b.next(), 250);
});

test('custom factor, cap below initial, no immediate first', () => {
  const b = new Backoff({ initialMs: 100, maxMs: 1000, factor: 3, jitter: 0, immediateFirst: false });
  assert.deepEqual([b.next(), b.next(), b.next(), b.next()], [100, 300, 900, 1000]);
  const c = new Backoff({ initialMs: 5000, maxMs: 2000, jitter: 0 });
  assert.deepEqual([c.next(), c.next(), c.next()], [0, 2000, 2000]);
});

test('huge attempt counts do not overflow past the cap', () => {
  const b = new Backoff({ random: () => 0.999 });
  for (let i = 0; i < 5000; i++) assert.ok(b.next() <= 30_000);
});

test('bad options are refused', () => {
  assert.throws(() => new Backoff({ initialMs: -1 }), RangeError);
  assert.throws(() => new Backoff({ maxMs: Number.NaN }), RangeError);
  assert.throws(() => new Backoff({ factor: 0.5 }), RangeError);
  assert.throws(() => new Backoff({ jitter: 1 }), RangeError);
});
