/**
 * `watchNetwork(connector)`: the NetworkWatch the CLI and the library hand to a session
 * (link-hooks.ts). Wake from sleep, local address changes and route changes towards the
 * host stayssh dials become one debounced `onChange(reason)`; the session then probes the
 * link at once (or re-dials at once when it is already down) and resets its backoff.
 */
import { createSystemClock } from '../clock.js';
import type { NetworkWatch } from '../../transport/link-hooks.js';
import { ipMonitorFeed } from './ip-monitor.js';
import { createNetworkWatch } from './network-watcher.js';
import { addressFingerprint, routeLookup, routeTableFingerprint, systemResolve, systemRouteGet, type RouteLookupDeps } from './system-sources.js';

export { createNetworkWatch, type NetworkSources, POLL_INTERVAL_MS, WAKE_LATE_MS } from './network-watcher.js';
export { REASON_ADDRESSES, REASON_ROUTE, REASON_WAKE } from './network-watcher.js';

export interface WatchNetworkOptions extends Partial<RouteLookupDeps> {
  /** Listen to `ip monitor` for immediate notice (default true); false: poll only. */
  feed?: boolean;
}

/**
 * Watches the route to the host the connector dials (`connector.dialedHost`): with
 * ProxyJump that is the first jump host, and the destination's name is never resolved
 * locally, as with `ssh -J` (a café's resolver must not learn internal names). Taking the
 * connector, not a name, keeps every caller on that rule. `resolve` and `routeGet` default
 * to the system's; tests inject them.
 */
export function watchNetwork(connector: { readonly dialedHost: string }, opts: WatchNetworkOptions = {}): NetworkWatch {
  return createNetworkWatch({
    // unref: the poll must never be what keeps a finished process alive.
    clock: createSystemClock({ unref: true }),
    addresses: addressFingerprint,
    routeTable: routeTableFingerprint,
    routeToServer: routeLookup(connector.dialedHost, { resolve: opts.resolve ?? systemResolve, routeGet: opts.routeGet ?? systemRouteGet }),
    changeFeed: opts.feed === false ? undefined : ipMonitorFeed,
  });
}
