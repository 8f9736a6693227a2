/**
 * The watcher behind `watchNetwork` (docs/BEHAVIOUR.md §3: a change of local network addresses or a
 * wake from sleep triggers an immediate check, so roaming does not wait for timeouts).
 * Three signals, one debounced call:
 *
 *   wake     the poll timer fired more than WAKE_LATE_MS after it was due: the machine
 *            slept (or the process was stopped), and the link may be long dead;
 *   address  the fingerprint of the local non-internal addresses changed (Wi-Fi → LTE,
 *            a new DHCP lease, VPN up/down);
 *   route    the route the kernel picks for the server (device, source, gateway) changed,
 *            e.g. a second uplink became the default while the old one kept its address.
 *
 * Cheap by construction: a 500 ms tick reads two in-memory fingerprints (~0.1 ms); the
 * route lookup (a ~2 ms process spawn) runs only when the addresses or the routing table
 * changed, or when a kernel change feed (`ip monitor`) says something moved. The feed
 * cuts detection from "up to one tick" to a few ms; the tick remains the fallback and
 * the wake detector.
 *
 * I/O-free: every source is injected, so tests drive it with a FakeClock.
 */
import type { Clock, TimerId } from '../clock.js';
import type { NetworkWatch } from '../../transport/link-hooks.js';
import { Debouncer } from './debouncer.js';

/** ms between polls: detection latency without a feed, and the wake detector's period. */
export const POLL_INTERVAL_MS = 500;
/**
 * ms a tick may fire late before it counts as a wake. Event-loop jitter is a few ms and a
 * GC pause tens; a second is beyond both, and matches LivenessMonitor's stall threshold.
 */
export const WAKE_LATE_MS = 1_000;

export const REASON_WAKE = 'woke from sleep';
export const REASON_ADDRESSES = 'local network addresses changed';
export const REASON_ROUTE = 'route to the server changed';

export interface NetworkSources {
  clock: Clock;
  /** A fingerprint of the local non-internal addresses; equal strings mean no change. */
  addresses(): string;
  /** A fingerprint of the routing table ('' when it cannot be read: then only events count). */
  routeTable(): string;
  /** How the kernel would reach the server ("dev X src Y via Z"); undefined when unknown. */
  routeToServer(): Promise<string | undefined>;
  /** Optional push feed of kernel change notifications; returns a stop. */
  changeFeed?(onEvent: () => void): () => void;
}

export function createNetworkWatch(sources: NetworkSources): NetworkWatch {
  return (onChange) => {
    const w = new NetworkWatcher(sources, onChange);
    w.start();
    return () => w.stop();
  };
}

class NetworkWatcher {
  private readonly clock: Clock;
  private readonly debouncer: Debouncer;
  private timer: TimerId | undefined;
  private dueAt = 0;
  private lastAddresses = '';
  private lastTable = '';
  /** undefined until the first lookup answered. */
  private lastRoute: string | undefined;
  private routeBusy = false;
  private routeAgain = false;
  private soon: TimerId | undefined;
  private stopFeed: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly s: NetworkSources,
    onChange: (reason: string) => void,
  ) {
    this.clock = s.clock;
    this.debouncer = new Debouncer(this.clock, (reason) => {
      if (!this.stopped) onChange(reason);
    });
  }

  start(): void {
    this.lastAddresses = this.safe(() => this.s.addresses());
    this.lastTable = this.safe(() => this.s.routeTable());
    this.checkRoute(); // Baseline: the first answer is remembered, never reported.
    this.stopFeed = this.s.changeFeed?.(() => this.checkSoon());
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    if (this.soon !== undefined) this.clock.clearTimeout(this.soon);
    this.timer = this.soon = undefined;
    this.debouncer.cancel();
    this.stopFeed?.();
  }

  private arm(): void {
    this.dueAt = this.clock.now() + POLL_INTERVAL_MS;
    this.timer = this.clock.setTimeout(() => this.tick(), POLL_INTERVAL_MS);
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const late = this.clock.now() - this.dueAt;
    if (late > WAKE_LATE_MS) this.debouncer.signal(REASON_WAKE);
    this.compare(false);
    this.arm();
  }

  /** A feed event: look now, but once per burst (a roam is several kernel messages). */
  private checkSoon(): void {
    if (this.stopped || this.soon !== undefined) return;
    this.soon = this.clock.setTimeout(() => {
      this.soon = undefined;
      if (!this.stopped) this.compare(true);
    }, 0);
  }

  private compare(fromFeed: boolean): void {
    const addresses = this.safe(() => this.s.addresses());
    const table = this.safe(() => this.s.routeTable());
    const addressesChanged = addresses !== this.lastAddresses;
    const tableChanged = table !== this.lastTable;
    this.lastAddresses = addresses;
    this.lastTable = table;
    if (addressesChanged) this.debouncer.signal(REASON_ADDRESSES);
    // A feed event may be about a table the fingerprint cannot see (policy routing, VPNs).
    if (addressesChanged || tableChanged || fromFeed) this.checkRoute();
  }

  /** One lookup in flight at a time; a request meanwhile re-runs it once afterwards. */
  private checkRoute(): void {
    if (this.routeBusy) return void (this.routeAgain = true);
    this.routeBusy = true;
    this.routeAgain = false;
    this.s.routeToServer().then(
      (route) => this.routeAnswered(route),
      () => this.routeAnswered(undefined),
    );
  }

  private routeAnswered(route: string | undefined): void {
    this.routeBusy = false;
    if (this.stopped) return;
    if (route !== undefined) {
      if (this.lastRoute !== undefined && route !== this.lastRoute) this.debouncer.signal(REASON_ROUTE);
      this.lastRoute = route;
    }
    if (this.routeAgain) this.checkRoute();
  }

  /** A source that throws (an unreadable /proc) reads as "unknown", never as a crash. */
  private safe(read: () => string): string {
    try {
      return read();
    } catch {
      return '';
    }
  }
}
