// The engine's dials in flight (engine/engine.ts): while re-dials go unanswered a fresh
// one starts every ~2 s, at most three at once; the first to connect is the link and the
// others are called off; a dial the server has answered gets no company.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/engine.js';
import { tunnelOnly } from '../../src/engine/attachment.js';
import { retrySettings, UNSEEN_RETRY_INTERVAL_MS } from '../../src/core/policy.js';
import { FakeClock } from '../../src/platform/clock.js';
import type { Connection } from '../../src/transport/connection.js';
import type { DialWatch } from '../../src/transport/dial.js';

interface PendingDial {
  watch: DialWatch | undefined;
  resolve(conn: Connection): void;
  reject(err: Error): void;
}

/** A link as the engine uses it: closable from the test, destroyed by the engine. */
function fakeLink() {
  const closeListeners: Array<(reason: string) => void> = [];
  const link = {
    closed: false,
    destroyed: false,
    localAddress: undefined,
    lastByteAt: 0,
    onBytes: () => () => undefined,
    onClose(l: (reason: string) => void) {
      closeListeners.push(l);
      return () => undefined;
    },
    ping: () => undefined,
    destroy() {
      link.destroyed = true;
    },
    end: () => undefined,
    lose(reason: string) {
      link.closed = true;
      for (const l of closeListeners) l(reason);
    },
  };
  return link;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function rig() {
  const clock = new FakeClock(0);
  const dials: PendingDial[] = [];
  const events: string[] = [];
  const engine = new Engine({
    connector: {
      dial: (_first: boolean, watch?: DialWatch) =>
        new Promise<Connection>((resolve, reject) => {
          dials.push({ watch, resolve, reject });
        }),
    },
    attachment: tunnelOnly,
    liveness: { intervalMs: 60_000, countMax: 3 },
    retry: retrySettings(),
    firstLoginWindowMs: 15_000,
    clock,
    onEvent: (e) => events.push(e.event),
    seed: 1,
  });
  void engine.run();
  return { clock, dials, events, engine };
}

async function upThenLost() {
  const r = rig();
  const first = fakeLink();
  r.dials[0]!.resolve(first as unknown as Connection);
  await settle();
  assert.equal(r.engine.phase, 'attached');
  first.lose('connection reset');
  r.clock.advance(0); // the first re-dial is due at once
  await settle();
  return r;
}

test('unanswered re-dials: a fresh one every 2 s, at most three; the first to connect wins, the others are called off', async () => {
  const r = await upThenLost();
  assert.equal(r.dials.length, 2);
  r.clock.advance(UNSEEN_RETRY_INTERVAL_MS);
  r.clock.advance(UNSEEN_RETRY_INTERVAL_MS);
  assert.equal(r.dials.length, 4, 'two fresh attempts beside the first re-dial');
  r.clock.advance(UNSEEN_RETRY_INTERVAL_MS);
  assert.equal(r.dials.length, 4, 'never more than three in flight');

  const winner = fakeLink();
  r.dials[2]!.resolve(winner as unknown as Connection);
  await settle();
  assert.equal(r.engine.phase, 'attached');
  assert.deepEqual([1, 3].map((i) => r.dials[i]!.watch?.signal?.aborted), [true, true]);
  assert.equal(r.dials[2]!.watch?.signal?.aborted, false);
  // A called-off dial that connects anyway is closed, not adopted.
  const late = fakeLink();
  r.dials[1]!.resolve(late as unknown as Connection);
  await settle();
  assert.equal(late.destroyed, true);
  assert.equal(winner.destroyed, false);
  assert.ok(r.events.includes('reconnected'));
  r.engine.detach();
});

test('a re-dial the server has answered (a slow login) gets no fresh attempt beside it', async () => {
  const r = await upThenLost();
  r.dials[1]!.watch?.answered?.();
  r.clock.advance(3 * UNSEEN_RETRY_INTERVAL_MS);
  assert.equal(r.dials.length, 2);
  r.engine.detach();
  assert.equal(r.dials[1]!.watch?.signal?.aborted, true, 'an end calls off what is in flight');
});
