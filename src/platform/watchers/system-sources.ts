/**
 * The real machine's side of the network watcher: address and routing-table fingerprints
 * (cheap, polled) and the route the kernel would use to reach the server (a process
 * spawn, only on change). Linux reads /proc and runs iproute2's `ip`; elsewhere the
 * table fingerprint is empty and the route is unknown, and address changes and wake
 * still work through os.networkInterfaces().
 *
 * Measured here (Node 20, Linux): networkInterfaces() ≈ 45 µs, reading both /proc route
 * files ≈ 42 µs, `ip -o route get` ≈ 2.2 ms wall.
 */
import { execFile } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/** ms allowed to `ip route get` before its answer counts as unknown (it answers in ~2 ms). */
const ROUTE_LOOKUP_TIMEOUT_MS = 2_000;

/** Sorted "iface family address/netmask" of every non-loopback address. */
export function addressFingerprint(): string {
  const lines: string[] = [];
  for (const [name, infos] of Object.entries(networkInterfaces())) {
    for (const i of infos ?? []) {
      if (!i.internal) lines.push(`${name} ${i.family} ${i.address}/${i.netmask}`);
    }
  }
  return lines.sort().join('\n');
}

/**
 * The main routing tables as the kernel lists them, minus the columns that move with
 * traffic (RefCnt and Use), so only real route changes alter the fingerprint.
 */
export function routeTableFingerprint(): string {
  return [readRoutes('/proc/net/route', [4, 5], 1), readRoutes('/proc/net/ipv6_route', [6, 7], 0)].join('\n--\n');
}

function readRoutes(path: string, volatile: number[], headerLines: number): string {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch {
    return '';
  }
  return text
    .split('\n')
    .slice(headerLines)
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s+/).filter((_, i) => !volatile.includes(i)).join(' '))
    .sort()
    .join('\n');
}

/**
 * "dev X src Y via Z" out of `ip -o route get` output, or 'unreachable'. Pure, tested.
 * Only the fields that decide which path packets take: the cache/uid noise is dropped.
 */
export function parseRouteGet(output: string): string | undefined {
  const line = output.split('\n')[0] ?? '';
  const field = (name: string) => new RegExp(`(?:^|\\s)${name}\\s+(\\S+)`).exec(line)?.[1];
  const dev = field('dev');
  if (dev === undefined) return undefined;
  return [`dev ${dev}`, `src ${field('src') ?? '-'}`, `via ${field('via') ?? '-'}`].join(' ');
}

/** The system's name resolution (getaddrinfo): an address for `host`, or undefined. */
export async function systemResolve(host: string): Promise<string | undefined> {
  try {
    return (await lookup(host)).address;
  } catch {
    return undefined;
  }
}

/** The kernel's route to `address` (`ip -o route get`), parsed; undefined when unknown. */
export function systemRouteGet(address: string): Promise<string | undefined> {
  return new Promise((done) => {
    execFile('ip', ['-o', 'route', 'get', address], { timeout: ROUTE_LOOKUP_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (!err) return done(parseRouteGet(stdout));
      // "RTNETLINK answers: Network is unreachable" is an answer: no path at all.
      done(/unreachable/i.test(String(stderr)) ? 'unreachable' : undefined);
    });
  });
}

export interface RouteLookupDeps {
  resolve(host: string): Promise<string | undefined>;
  routeGet(address: string): Promise<string | undefined>;
}

const SYSTEM_ROUTE_DEPS: RouteLookupDeps = { resolve: systemResolve, routeGet: systemRouteGet };

/**
 * A lookup of the route to `dialedHost`, the host the TCP connection goes to (a jump
 * host's, under ProxyJump). The name is resolved once (the first time it is needed) and
 * that address kept: what matters is the path to the address we dialed.
 */
export function routeLookup(dialedHost: string, deps: RouteLookupDeps = SYSTEM_ROUTE_DEPS): () => Promise<string | undefined> {
  let address: Promise<string | undefined> | undefined;
  return async () => {
    address ??= isIP(dialedHost) ? Promise.resolve(dialedHost) : deps.resolve(dialedHost);
    const addr = await address;
    if (addr === undefined) return undefined;
    return deps.routeGet(addr);
  };
}
