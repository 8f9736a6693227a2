/**
 * `watchNetwork(serverHost)`: the NetworkWatch the CLI and the library hand to a session
 * (link-hooks.ts). Wake from sleep, local address changes and route changes towards the
 * server become one debounced `onChange(reason)`; the session then probes the link at
 * once (or re-dials at once when it is already down) and resets its backoff.
 */
import { createSystemClock } from '../clock.js';
import type { NetworkWatch } from '../../transport/link-hooks.js';
import { ipMonitorFeed } from './ip-monitor.js';
import { createNetworkWatch } from './network-watcher.js';
import { addressFingerprint, routeLookup, routeTableFingerprint } from './system-sources.js';

export { createNetworkWatch, type NetworkSources, POLL_INTERVAL_MS, WAKE_LATE_MS } from './network-watcher.js';
export { REASON_ADDRESSES, REASON_ROUTE, REASON_WAKE } from './network-watcher.js';

export interface WatchNetworkOptions {
  /** Listen to `ip monitor` for immediate notice (default true); false: poll only. */
  feed?: boolean;
}

export function watchNetwork(serverHost: string, opts: WatchNetworkOptions = {}): NetworkWatch {
  return createNetworkWatch({
    // unref: the poll must never be what keeps a finished process alive.
    clock: createSystemClock({ unref: true }),
    addresses: addressFingerprint,
    routeTable: routeTableFingerprint,
    routeToServer: routeLookup(serverHost),
    changeFeed: opts.feed === false ? undefined : ipMonitorFeed,
  });
}
