import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/platform/clock.js';
import {
  LivenessMonitor,
  CHECK_DEADLINE_MS,
  PROBE_REPLY_GRACE_MS,
  type LivenessOptions,
} from '../../src/engine/liveness.js';

function setup(opts: LivenessOptions = {}) {
  const clock = new FakeClock(1_000_000);
  const log: string[] = [];
  const t0 = clock.now();
  const at = (): number => clock.now() - t0;
  const mon = new LivenessMonitor(clock, opts, {
    probe: () => log.push(`probe@${at()}`),
    doubt: (s) => log.push(`doubt@${at()}:${s}`),
    alive: () => log.push(`alive@${at()}`),
    dead: (s) => log.push(`dead@${at()}:${s}`),
  });
  return { clock, log, mon };
}

test('defaults 5 s × 2: probe at 5 s, doubt at 6 s, dead at 10 s of silence', () => {
  const { clock, log, mon } = setup();
  assert.equal(mon.intervalMs, 5000);
  assert.equal(mon.countMax, 2);
  mon.start();
  clock.advance(20_000);
  assert.deepEqual(log, ['probe@5000', 'doubt@6000:6000', 'dead@10000:10000']);
  assert.equal(mon.status, 'dead');
  assert.equal(clock.pending(), 0);
});

test('a busy link is never probed, and costs one timer wake-up per interval', () => {
  const { clock, log, mon } = setup();
  let wakeups = 0;
  const realSet = clock.setTimeout.bind(clock);
  clock.setTimeout = (fn, ms) => realSet(() => (wakeups++, fn()), ms);
  mon.start();
  for (let t = 0; t < 60_000; t += 10) {
    clock.advance(10);
    mon.onBytesReceived();
  }
  assert.deepEqual(log, []);
  assert.ok(wakeups <= 60_000 / 5000 + 1, `wakeups=${wakeups}`);
  assert.equal(clock.pending(), 1);
});

test('any byte answers: an idle healthy link gets a probe per interval and never doubts', () => {
  const { clock, log, mon } = setup();
  mon.start();
  for (let i = 0; i < 4; i++) {
    clock.advance(5000); // probe goes out
    clock.advance(40); // LAN round trip
    mon.onBytesReceived();
  }
  assert.deepEqual(log, ['probe@5000', 'probe@10040', 'probe@15080', 'probe@20120']);
});

test('bytes after doubt: alive, and the silence clock restarts', () => {
  const { clock, log, mon } = setup();
  mon.start();
  clock.advance(7000);
  mon.onBytesReceived();
  assert.equal(mon.status, 'alive');
  assert.equal(mon.silentMs(), 0);
  clock.advance(9000);
  assert.deepEqual(log, ['probe@5000', 'doubt@6000:6000', 'alive@7000', 'probe@12000', 'doubt@13000:6000']);
  clock.advance(1000);
  assert.deepEqual(log.at(-1), 'dead@17000:10000');
});

test('countMax 3: a second probe at 10 s, dead at 15 s', () => {
  const { clock, log, mon } = setup({ intervalMs: 5000, countMax: 3 });
  mon.start();
  clock.advance(30_000);
  assert.deepEqual(log, ['probe@5000', 'doubt@6000:6000', 'probe@10000', 'dead@15000:15000']);
});

test('countMax 1: dead only after the probe had its grace', () => {
  const { clock, log, mon } = setup({ intervalMs: 2000, countMax: 1 });
  mon.start();
  clock.advance(10_000);
  assert.deepEqual(log, ['probe@2000', `doubt@${2000 + PROBE_REPLY_GRACE_MS}:3000`, 'dead@3000:3000']);
});

test('unset, zero or nonsense options fall back to 5 s × 2', () => {
  for (const o of [{}, { intervalMs: 0, countMax: 0 }, { intervalMs: -1, countMax: Number.NaN }]) {
    const { mon } = setup(o);
    assert.equal(mon.intervalMs, 5000);
    assert.equal(mon.countMax, 2);
  }
  const { mon } = setup({ intervalMs: 15_000, countMax: 3 });
  assert.equal(mon.intervalMs, 15_000);
  assert.equal(mon.countMax, 3);
});

test('checkNow: probe at once, dead when nothing comes within the deadline', () => {
  const { clock, log, mon } = setup();
  mon.start();
  clock.advance(300);
  mon.checkNow();
  assert.deepEqual(log, ['probe@300']);
  clock.advance(CHECK_DEADLINE_MS - 1);
  assert.equal(mon.status, 'alive');
  clock.advance(1);
  assert.deepEqual(log, ['probe@300', 'doubt@1300:1300', 'dead@1300:1300']);
});

test('checkNow answered: stays alive, normal schedule resumes from the answer', () => {
  const { clock, log, mon } = setup();
  mon.start();
  clock.advance(2000);
  mon.checkNow();
  clock.advance(30);
  mon.onBytesReceived();
  clock.advance(5000);
  assert.deepEqual(log, ['probe@2000', 'probe@7030']);
  assert.equal(mon.status, 'alive');
});

test('a timer firing late (sleep, ~^Z) probes afresh instead of declaring dead', () => {
  const { clock, log, mon } = setup();
  mon.start();
  clock.advance(5500); // probe out at 5000, unanswered so far
  clock.jump(3_600_000); // the laptop slept an hour; the timer fires late
  assert.equal(mon.status, 'alive');
  assert.deepEqual(log, ['probe@5000', 'probe@3605500']);
  // the reply was waiting in the socket buffer and is read now
  clock.advance(5);
  mon.onBytesReceived();
  clock.advance(2000);
  assert.equal(mon.status, 'alive');
});

test('after a late timer, no reply within the grace means dead', () => {
  const { clock, log, mon } = setup();
  mon.start();
  clock.jump(60_000);
  clock.advance(PROBE_REPLY_GRACE_MS);
  assert.deepEqual(log, ['probe@60000', 'doubt@61000:61000', 'dead@61000:61000']);
});

test('stop cancels everything; bytes and checks after stop are ignored; start re-arms', () => {
  const { clock, log, mon } = setup();
  mon.start();
  clock.advance(1000);
  mon.stop();
  assert.equal(clock.pending(), 0);
  mon.onBytesReceived();
  mon.checkNow();
  clock.advance(60_000);
  assert.deepEqual(log, []);
  assert.equal(mon.status, 'stopped');
  mon.start();
  clock.advance(5000);
  assert.deepEqual(log, ['probe@66000']);
});

test('after dead, a fresh start watches a new link from zero', () => {
  const { clock, log, mon } = setup();
  mon.start();
  clock.advance(10_000);
  assert.equal(mon.status, 'dead');
  mon.onBytesReceived(); // late bytes from the dead transport: ignored
  assert.equal(log.filter((l) => l.startsWith('alive')).length, 0);
  mon.start();
  assert.equal(mon.status, 'alive');
  assert.equal(mon.silentMs(), 0);
});

test('silentMs reports time since the last byte', () => {
  const { clock, mon } = setup();
  assert.equal(mon.silentMs(), 0);
  mon.start();
  clock.advance(1234);
  assert.equal(mon.silentMs(), 1234);
  mon.onBytesReceived();
  assert.equal(mon.silentMs(), 0);
});
