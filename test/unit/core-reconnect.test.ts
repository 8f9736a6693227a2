// The reconnect core's decisions that the engine used to take in its I/O shell, or did
// not take at all: replayable jitter, backoff that grows only with failures the server
// saw, the network-change decision, the first login's transient faults, the give-up
// deadline of a dial in flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialState, step, type CoreSettings, type CoreState, type Effect, type Input } from '../../src/core/supervisor.js';
import { retrySettings, UNSEEN_RETRY_INTERVAL_MS, type RetryOptions } from '../../src/core/policy.js';

const kinds = (effects: Effect[]) => effects.map((e) => (e.type === 'event' ? `event:${e.event}` : e.type));

function core(o: RetryOptions = {}, seed = 7, firstLoginWindowMs = 15_000) {
  const settings: CoreSettings = { retry: retrySettings(o), firstLoginWindowMs };
  let state: CoreState = initialState(settings, seed);
  return {
    get state() {
      return state;
    },
    feed(input: Input): Effect[] {
      const [next, effects] = step(settings, state, input);
      state = next;
      return effects;
    },
  };
}

function attached(o: RetryOptions = {}, seed = 7) {
  const c = core(o, seed);
  c.feed({ type: 'start', at: 0 });
  c.feed({ type: 'connected', at: 10 });
  c.feed({ type: 'attached', at: 20 });
  return c;
}

const delayOf = (effects: Effect[]) => {
  const e = effects.find((x) => x.type === 'schedule-retry');
  return e?.type === 'schedule-retry' ? e.delayMs : undefined;
};

/** Loses the link, then fails `n` re-dials with `kind`, each taking `tookMs`; the delays chosen. */
function delays(c: ReturnType<typeof core>, n: number, kind: 'refused' | 'timeout', tookMs: number): number[] {
  const out: number[] = [];
  let at = 1_000;
  out.push(delayOf(c.feed({ type: 'link-lost', at, reason: 'reset' })) ?? -1);
  for (let i = 0; i < n; i++) {
    at = c.state.nextAttemptAt ?? at;
    c.feed({ type: 'retry-due', at });
    at += tookMs;
    out.push(delayOf(c.feed({ type: 'failed', at, reason: kind, kind, retryable: true })) ?? -1);
  }
  return out;
}

test('the jitter is part of the state: one seed replays the same delays, another seed spreads them', () => {
  const a = delays(attached({}, 42), 6, 'refused', 5);
  const b = delays(attached({}, 42), 6, 'refused', 5);
  const c = delays(attached({}, 43), 6, 'refused', 5);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('attempts that never reached the server do not grow the backoff: a fresh one every ~2 s', () => {
  // Connects that time out after 5 s: the next one starts at once, and the delay stays flat.
  const timedOut = delays(attached(), 12, 'timeout', 5_000);
  assert.deepEqual(timedOut.slice(1), Array(12).fill(0), timedOut.join(','));
  // No route (fails at once): one attempt every UNSEEN_RETRY_INTERVAL_MS, however long the outage.
  const instant = delays(attached(), 12, 'timeout', 0);
  assert.deepEqual(instant.slice(1), Array(12).fill(UNSEEN_RETRY_INTERVAL_MS), instant.join(','));
  // Refusals reached the server's host: they back off up to the cap.
  const refused = delays(attached(), 12, 'refused', 5);
  assert.ok(refused[12]! >= 24_000, refused.join(','));
});

test('a network change while waiting to re-dial dials now and resets the backoff', () => {
  const c = attached();
  delays(c, 8, 'refused', 5);
  assert.ok((c.state.nextAttemptAt ?? 0) - 1_000 > 10_000, 'the backoff had grown');
  const effects = c.feed({ type: 'network-changed', at: 60_000, reason: 'addresses changed', localAddressGone: false });
  assert.deepEqual(kinds(effects), ['cancel-retry', 'event:reconnecting', 'dial', 'schedule-fresh-attempt']);
  const after = c.feed({ type: 'failed', at: 60_010, reason: 'refused', kind: 'refused', retryable: true });
  assert.ok(delayOf(after)! <= 300, `backoff starts again: ${delayOf(after)}`);
});

test('a network change on a live link probes it; with the local address gone it re-dials at once', () => {
  const probe = attached();
  assert.deepEqual(kinds(probe.feed({ type: 'network-changed', at: 100, reason: 'route changed', localAddressGone: false })), ['check-link']);
  assert.equal(probe.state.phase, 'attached');
  const gone = attached();
  assert.deepEqual(kinds(gone.feed({ type: 'network-changed', at: 100, reason: 'address gone', localAddressGone: true })), [
    'drop-link',
    'status',
    'event:disconnected',
    'event:reconnecting',
    'dial',
    'schedule-fresh-attempt',
  ]);
  assert.equal(gone.state.phase, 'reconnecting');
});

test('the first login retries a reset within ConnectTimeout, as a new "connecting" attempt', () => {
  const c = core();
  c.feed({ type: 'start', at: 0 });
  const effects = c.feed({ type: 'failed', at: 300, reason: 'connection reset by peer', kind: 'reset', retryable: true });
  assert.deepEqual(kinds(effects), ['drop-link', 'schedule-retry']);
  assert.equal(c.state.phase, 'connecting');
  const retry = c.feed({ type: 'retry-due', at: 300 });
  assert.deepEqual(retry, [
    { type: 'event', event: 'connecting', attempt: 1, reason: 'connection reset by peer' },
    { type: 'dial', attempt: 1, first: true },
  ]);
  // A link lost while the session starts (after authentication) is the same fault.
  c.feed({ type: 'connected', at: 400 });
  assert.deepEqual(kinds(c.feed({ type: 'link-lost', at: 450, reason: 'reset' })), ['drop-link', 'schedule-retry']);
  c.feed({ type: 'retry-due', at: c.state.nextAttemptAt ?? 450 });
  c.feed({ type: 'connected', at: 700 });
  assert.deepEqual(kinds(c.feed({ type: 'attached', at: 800 })), ['status', 'event:attached'], 'no "reconnected": it was never up');
});

test('the first login still fails at once on what a retry cannot cure, and after ConnectTimeout', () => {
  for (const kind of ['refused', 'dns', 'auth', 'host-key', 'network'] as const) {
    const c = core();
    c.feed({ type: 'start', at: 0 });
    const effects = c.feed({ type: 'failed', at: 5, reason: kind, kind, retryable: kind !== 'auth' && kind !== 'host-key' });
    assert.equal(c.state.phase, 'exited', kind);
    assert.ok(effects.some((e) => e.type === 'exit' && e.code === 255 && !e.resumable), kind);
  }
  const late = core();
  late.feed({ type: 'start', at: 0 });
  late.feed({ type: 'failed', at: 15_000, reason: 'reset', kind: 'reset', retryable: true });
  assert.equal(late.state.phase, 'exited', 'the window is ConnectTimeout');
  // Resets that keep coming: the retries back off, and none is scheduled past the window.
  const keeps = core({}, 7, 2_000);
  keeps.feed({ type: 'start', at: 0 });
  let at = 0;
  while (keeps.state.phase === 'connecting') {
    at += 50;
    keeps.feed({ type: 'failed', at, reason: 'reset', kind: 'reset', retryable: true });
    if (keeps.state.phase !== 'connecting') break;
    assert.ok((keeps.state.nextAttemptAt ?? 0) < 2_000, `a retry scheduled at ${keeps.state.nextAttemptAt}, past the 2 s window`);
    at = keeps.state.nextAttemptAt ?? at;
    keeps.feed({ type: 'retry-due', at });
  }
  assert.equal(keeps.state.phase, 'exited');
  assert.ok(at < 2_000, `the first login ended at ${at} ms, within its window`);
});

test('a re-dial carries the time left before --give-up-after, so a dial into a black hole is cut off', () => {
  const c = attached({ giveUpAfterMs: 2_000 });
  c.feed({ type: 'link-lost', at: 1_000, reason: 'reset' });
  const first = c.feed({ type: 'retry-due', at: 1_000 });
  assert.deepEqual(first.find((e) => e.type === 'dial'), { type: 'dial', attempt: 1, first: false, deadlineMs: 2_000 });
  c.feed({ type: 'failed', at: 1_500, reason: 'refused', kind: 'refused', retryable: true });
  const second = c.feed({ type: 'retry-due', at: c.state.nextAttemptAt ?? 1_500 });
  const dial = second.find((e) => e.type === 'dial');
  assert.ok(dial?.type === 'dial' && dial.deadlineMs !== undefined && dial.deadlineMs <= 1_500);
  const end = c.feed({ type: 'failed', at: 3_000, reason: 'no link before the give-up deadline', kind: 'timeout', retryable: true });
  assert.deepEqual(kinds(end), ['drop-link', 'status', 'event:gave-up', 'exit']);
});

test('quit ends the run with its code and nothing to resume', () => {
  const c = attached();
  const effects = c.feed({ type: 'quit', at: 5, code: 255, reason: 'hung up' });
  assert.deepEqual(effects.at(-1), { type: 'exit', code: 255, reason: 'hung up', resumable: false });
});

/**
 * A silent outage of `outageMs` where every re-dial times out after `timeoutMs`, the
 * engine's timers run by hand: returns when each dial started.
 */
function silentOutage(c: ReturnType<typeof core>, outageMs: number, timeoutMs: number): number[] {
  const starts: number[] = [];
  const inFlight: number[] = []; // start times
  let retryAt: number | undefined;
  let freshAt: number | undefined;
  const apply = (at: number, effects: Effect[]) => {
    for (const e of effects) {
      if (e.type === 'dial') {
        starts.push(at);
        inFlight.push(at);
      } else if (e.type === 'schedule-retry') {
        retryAt = at + e.delayMs;
        freshAt = undefined;
      } else if (e.type === 'cancel-retry') {
        retryAt = undefined;
        freshAt = undefined;
      } else if (e.type === 'schedule-fresh-attempt') {
        freshAt = at + e.delayMs;
      }
    }
  };
  apply(0, c.feed({ type: 'link-lost', at: 0, reason: 'no reply' }));
  for (let now = 0; now <= outageMs; now++) {
    const due = inFlight.filter((t) => t + timeoutMs === now);
    for (const t of due) {
      inFlight.splice(inFlight.indexOf(t), 1);
      apply(now, c.feed({ type: 'failed', at: now, reason: 'connection timed out', kind: 'timeout', retryable: true }));
    }
    if (retryAt === now) {
      retryAt = undefined;
      apply(now, c.feed({ type: 'retry-due', at: now }));
    }
    if (freshAt === now) {
      freshAt = undefined;
      apply(now, c.feed({ type: 'fresh-attempt-due', at: now, answered: false }));
    }
  }
  return starts;
}

test('a silent outage of any length: while re-dials time out, a fresh one starts every ~2 s, at most three in flight', () => {
  // Ten minutes, long enough for a backoff that grew with timeouts to sit at its cap (30 s).
  const starts = silentOutage(attached(), 600_000, 5_000);
  const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
  assert.ok(starts.length > 250, `${starts.length} dials`);
  // The path may come back at any moment: the next dial starts within ~2 s of it.
  assert.ok(Math.max(...gaps) <= UNSEEN_RETRY_INTERVAL_MS, `gaps ${Math.max(...gaps)} ms`);
  const overlapping = starts.map((t) => starts.filter((u) => u <= t && u + 5_000 > t).length);
  assert.ok(Math.max(...overlapping) <= 3, `in flight at once: ${Math.max(...overlapping)}`);
});

test('no fresh attempt beside a dial the server has answered, or after a failure the server saw', () => {
  const answered = attached();
  answered.feed({ type: 'link-lost', at: 0, reason: 'reset' });
  answered.feed({ type: 'retry-due', at: 0 });
  assert.deepEqual(answered.feed({ type: 'fresh-attempt-due', at: 2_000, answered: true }), []);
  assert.equal(answered.state.dialsInFlight, 1);

  const refused = attached();
  refused.feed({ type: 'link-lost', at: 0, reason: 'reset' });
  refused.feed({ type: 'retry-due', at: 0 });
  refused.feed({ type: 'fresh-attempt-due', at: 2_000, answered: false });
  assert.equal(refused.state.dialsInFlight, 2);
  refused.feed({ type: 'failed', at: 2_100, reason: 'refused', kind: 'refused', retryable: true });
  assert.deepEqual(refused.feed({ type: 'fresh-attempt-due', at: 4_000, answered: false }), []);

  const connected = attached();
  connected.feed({ type: 'link-lost', at: 0, reason: 'reset' });
  connected.feed({ type: 'retry-due', at: 0 });
  assert.deepEqual(kinds(connected.feed({ type: 'connected', at: 1_000 })), ['cancel-retry', 'event:connected']);
  assert.deepEqual(connected.feed({ type: 'fresh-attempt-due', at: 2_000, answered: false }), []);
});
