// The network watcher with injected sources and a fake clock: wake, address and route
// changes each reach the session once, bursts are merged, nothing fires without a change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/platform/clock.js';
import { createNetworkWatch, POLL_INTERVAL_MS, REASON_ADDRESSES, REASON_ROUTE, REASON_WAKE, type NetworkSources } from '../../src/platform/watchers/network-watcher.js';
import { DEBOUNCE_MAX_MS, DEBOUNCE_QUIET_MS, Debouncer } from '../../src/platform/watchers/debouncer.js';
import { parseRouteGet } from '../../src/platform/watchers/system-sources.js';

/** Lets promise callbacks (the route lookup) run; real, but involves no timers of ours. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

class FakeNet {
  readonly clock = new FakeClock(1_000_000);
  addresses = 'wlan0 IPv4 198.18.0.2/255.255.255.0';
  table = 'default via 198.18.0.1 dev wlan0';
  route: string | undefined = 'dev wlan0 src 198.18.0.2 via 198.18.0.1';
  routeLookups = 0;
  feedListener: (() => void) | undefined;
  feedStopped = false;
  readonly changes: string[] = [];

  sources(withFeed = false): NetworkSources {
    return {
      clock: this.clock,
      addresses: () => this.addresses,
      routeTable: () => this.table,
      routeToServer: async () => {
        this.routeLookups++;
        return this.route;
      },
      changeFeed: withFeed
        ? (onEvent) => {
            this.feedListener = onEvent;
            return () => (this.feedStopped = true);
          }
        : undefined,
    };
  }

  start(withFeed = false): () => void {
    return createNetworkWatch(this.sources(withFeed))((reason) => this.changes.push(reason));
  }
}

test('nothing is reported while nothing changes and timers are on time', async () => {
  const net = new FakeNet();
  const stop = net.start();
  await settle();
  for (let i = 0; i < 20; i++) {
    net.clock.advance(POLL_INTERVAL_MS);
    await settle();
  }
  assert.deepEqual(net.changes, []);
  assert.equal(net.routeLookups, 1, 'only the baseline lookup: the route is asked again only after a change');
  stop();
});

test('a new address is reported once, after the quiet period, within one poll', async () => {
  const net = new FakeNet();
  const stop = net.start();
  await settle();
  net.addresses = 'wlan0 IPv4 198.18.1.2/255.255.255.0';
  net.clock.advance(POLL_INTERVAL_MS);
  await settle();
  assert.deepEqual(net.changes, [], 'debounced: not yet');
  net.clock.advance(DEBOUNCE_QUIET_MS);
  assert.deepEqual(net.changes, [REASON_ADDRESSES]);
  net.clock.advance(10 * POLL_INTERVAL_MS);
  assert.equal(net.changes.length, 1);
  stop();
});

test('a roam (address added, old one removed, route replaced) is one call naming both causes', async () => {
  const net = new FakeNet();
  const stop = net.start(true);
  await settle();
  // Three kernel messages a few ms apart, each pushed by the feed.
  net.addresses += '\nwlan0 IPv4 198.18.1.2/255.255.255.0';
  net.feedListener?.();
  net.clock.advance(0);
  await settle();
  net.clock.advance(10);
  net.addresses = 'wlan0 IPv4 198.18.1.2/255.255.255.0';
  net.feedListener?.();
  net.clock.advance(0);
  net.clock.advance(10);
  net.table = 'default via 198.18.1.1 dev wlan0';
  net.route = 'dev wlan0 src 198.18.1.2 via 198.18.1.1';
  net.feedListener?.();
  net.clock.advance(0);
  await settle();
  assert.deepEqual(net.changes, []);
  net.clock.advance(DEBOUNCE_QUIET_MS);
  assert.equal(net.changes.length, 1);
  assert.equal(net.changes[0], `${REASON_ADDRESSES}; ${REASON_ROUTE}`);
  stop();
});

test('with the feed, a change is noticed before the next poll tick', async () => {
  const net = new FakeNet();
  const stop = net.start(true);
  await settle();
  net.addresses = 'eth0 IPv4 198.18.5.5/255.255.255.0';
  net.feedListener?.();
  net.clock.advance(DEBOUNCE_QUIET_MS); // well before the first tick at POLL_INTERVAL_MS
  assert.deepEqual(net.changes, [REASON_ADDRESSES]);
  stop();
});

test('a route change without any address change is reported', async () => {
  const net = new FakeNet();
  const stop = net.start();
  await settle();
  net.table = 'default via 198.18.0.1 dev wlan0\ndefault via 198.18.9.1 dev eth1 metric 10';
  net.route = 'dev eth1 src 198.18.9.2 via 198.18.9.1';
  net.clock.advance(POLL_INTERVAL_MS);
  await settle();
  net.clock.advance(DEBOUNCE_QUIET_MS);
  assert.deepEqual(net.changes, [REASON_ROUTE]);
  stop();
});

test('a table change that leaves the route to the server alone is not reported', async () => {
  const net = new FakeNet();
  const stop = net.start();
  await settle();
  net.table += '\n10.9.0.0/16 dev docker0';
  net.clock.advance(POLL_INTERVAL_MS);
  await settle();
  net.clock.advance(DEBOUNCE_MAX_MS);
  assert.deepEqual(net.changes, []);
  assert.equal(net.routeLookups, 2);
  stop();
});

test('losing the only route (unreachable) is a route change', async () => {
  const net = new FakeNet();
  const stop = net.start();
  await settle();
  net.table = '';
  net.route = 'unreachable';
  net.clock.advance(POLL_INTERVAL_MS);
  await settle();
  net.clock.advance(DEBOUNCE_QUIET_MS);
  assert.deepEqual(net.changes, [REASON_ROUTE]);
  stop();
});

test('timers firing late (a wake from sleep) are reported once', async () => {
  const net = new FakeNet();
  const stop = net.start();
  await settle();
  net.clock.advance(POLL_INTERVAL_MS * 3);
  net.clock.jump(60_000); // the laptop slept a minute: the pending tick fires 59.5 s late
  net.clock.advance(DEBOUNCE_QUIET_MS);
  assert.deepEqual(net.changes, [REASON_WAKE]);
  net.clock.advance(POLL_INTERVAL_MS * 4);
  assert.deepEqual(net.changes, [REASON_WAKE]);
  stop();
});

test('a tick a little late (event-loop jitter) is not a wake', async () => {
  const net = new FakeNet();
  const stop = net.start();
  await settle();
  net.clock.jump(POLL_INTERVAL_MS + 900);
  net.clock.advance(DEBOUNCE_MAX_MS);
  assert.deepEqual(net.changes, []);
  stop();
});

test('stop() ends the poll and the feed, and drops a pending call', async () => {
  const net = new FakeNet();
  const stop = net.start(true);
  await settle();
  net.addresses = 'eth0 IPv4 198.18.7.7/255.255.255.0';
  net.clock.advance(POLL_INTERVAL_MS);
  stop();
  net.clock.advance(DEBOUNCE_MAX_MS);
  net.feedListener?.();
  net.clock.advance(POLL_INTERVAL_MS * 2);
  await settle();
  assert.deepEqual(net.changes, []);
  assert.equal(net.feedStopped, true);
  assert.equal(net.clock.pending(), 0);
});

test('sources that throw or cannot answer never crash the watcher', async () => {
  const net = new FakeNet();
  const sources = net.sources();
  let broken = false;
  const stop = createNetworkWatch({
    ...sources,
    addresses: () => {
      if (broken) throw new Error('EACCES');
      return 'a';
    },
    routeToServer: async () => {
      throw new Error('no ip binary');
    },
  })((r) => net.changes.push(r));
  await settle();
  broken = true;
  net.clock.advance(POLL_INTERVAL_MS);
  await settle();
  net.clock.advance(DEBOUNCE_QUIET_MS);
  // An unreadable source reads as '' (a change from 'a'), never as an exception.
  assert.deepEqual(net.changes, [REASON_ADDRESSES]);
  stop();
});

test('the debouncer fires at the cap when signals never stop', () => {
  const clock = new FakeClock(0);
  const fired: Array<[number, string]> = [];
  const d = new Debouncer(clock, (r) => fired.push([clock.now(), r]));
  for (let t = 0; t < 2_000; t += 50) {
    d.signal(t % 100 === 0 ? 'a' : 'b');
    clock.advance(50);
  }
  assert.equal(fired[0]?.[0], DEBOUNCE_MAX_MS);
  assert.equal(fired[0]?.[1], 'a; b');
  assert.ok(fired.length >= 3 && fired.length <= 5, `fired ${fired.length} times in 2 s`);
});

test('parseRouteGet keeps device, source and gateway, and nothing that changes by itself', () => {
  assert.equal(parseRouteGet('198.18.0.1 dev v0 src 198.18.0.2 uid 0 \\    cache \n'), 'dev v0 src 198.18.0.2 via -');
  assert.equal(parseRouteGet('198.18.0.1 via 198.18.1.1 dev v0 src 198.18.1.2 uid 0 \\    cache \n'), 'dev v0 src 198.18.1.2 via 198.18.1.1');
  assert.equal(parseRouteGet('2001:db8::1 from :: via fe80::1 dev wlan0 proto ra src 2001:db8::5 metric 600 pref medium'), 'dev wlan0 src 2001:db8::5 via fe80::1');
  assert.equal(parseRouteGet(''), undefined);
});
