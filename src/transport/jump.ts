/**
 * ProxyJump (-J): reach the target through a chain of SSH servers, each one a full SSH
 * connection of its own (its own ssh_config, known_hosts check, pinned key and
 * authentication), the next one running over a `direct-tcpip` channel of the previous
 * one, like `ssh -J a,b target`. The whole chain is built again on every re-dial: a
 * channel cannot outlive the connection it rides on.
 *
 * Configuration as OpenSSH does it (ssh.c turns -J into `ssh -W ... -J rest lasthop`):
 * - each hop is resolved through ssh_config with the hop as the host and none of the
 *   command line's -o/-i/-p (they are for the destination only); -F is kept;
 * - the first hop's own ProxyJump (from its config) applies, recursively; later hops
 *   are reached through the list and their own ProxyJump is ignored.
 */
import { homedir, hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { parseDestination, resolveSshConfig } from '../config/ssh-config.js';
import type { ResolvedSshConfig } from '../config/types.js';
import { StaysshError } from '../errors.js';
import type { Connection } from './connection.js';
import { DialError, type DialWatch } from './dial.js';

/** Longest chain accepted: a ProxyJump loop in the config files must end in an error. */
const MAX_JUMP_HOPS = 16;

export interface JumpHop {
  user?: string;
  host: string;
  port?: number;
}

export type HopResolver = (hop: JumpHop) => ResolvedSshConfig;

/** `[user@]host[:port]` or `ssh://[user@]host[:port]` (ssh(1) -J). */
export function parseJumpHop(text: string): JumpHop {
  if (text.toLowerCase().startsWith('ssh://')) return parseDestination(text);
  const at = text.lastIndexOf('@');
  const hostPart = text.slice(at + 1);
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(hostPart) ?? /^([^:]+):(\d{1,5})$/.exec(hostPart);
  const portText = m?.[2];
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && !(port >= 1 && port <= 65535)) throw new StaysshError(`invalid ProxyJump hop "${text}": bad port`);
  const dest = parseDestination(`${at >= 0 ? text.slice(0, at + 1) : ''}${m?.[1] ?? hostPart}`);
  return port === undefined ? dest : { ...dest, port };
}

export interface HopResolverOptions {
  /** -F: kept for the hops, as ssh passes it to the jump host's ssh. */
  configFile?: string;
  env: NodeJS.ProcessEnv;
}

/** Resolves a hop like the destination is resolved, minus the command line's options. */
export function makeHopResolver(o: HopResolverOptions): HopResolver {
  const home = o.env['HOME'] || homedir();
  let localUser: string;
  try {
    localUser = userInfo().username;
  } catch {
    localUser = o.env['USER'] ?? 'unknown';
  }
  return (hop) =>
    resolveSshConfig({
      host: hop.host,
      user: hop.user,
      port: hop.port,
      commandLine: [],
      userConfigPath: o.configFile ?? join(home, '.ssh', 'config'),
      userConfigFromFlag: o.configFile !== undefined,
      systemConfigPath: o.configFile === undefined ? '/etc/ssh/ssh_config' : null,
      homeDir: home,
      localUser,
      localHostName: hostname(),
      env: o.env,
    });
}

/** The hops to dial, in order, for a ProxyJump value (already token-expanded). */
export function resolveJumpChain(proxyJump: string, resolve: HopResolver): ResolvedSshConfig[] {
  const hops = proxyJump.split(',').map((h) => resolve(parseJumpHop(h.trim())));
  const first = hops[0];
  if (first?.proxyCommand !== undefined) {
    throw new StaysshError(`jump host ${first.originalHost}: ProxyCommand is not supported by stayssh (use ProxyJump)`);
  }
  const before = first?.proxyJump !== undefined ? resolveJumpChain(first.proxyJump, resolve) : [];
  const chain = [...before, ...hops];
  if (chain.length > MAX_JUMP_HOPS) throw new StaysshError(`ProxyJump chain longer than ${MAX_JUMP_HOPS} hops (a loop in the configuration?)`);
  return chain;
}

/** One endpoint of the chain: where it is, and how to dial it over a given stream. */
export interface ChainEndpoint {
  config: ResolvedSshConfig;
  dial(first: boolean, sock?: Socket, watch?: DialWatch): Promise<Connection>;
}

function hopLabel(cfg: ResolvedSshConfig, index: number, count: number): string {
  return `jump host ${cfg.originalHost} (hop ${index + 1} of ${count})`;
}

/**
 * A `direct-tcpip` channel from `via` to host:port, dressed as the Socket dial() expects:
 * ssh2 runs over any duplex stream, but dial() calls setNoDelay (meaningless on a channel).
 */
function openStream(via: Connection, host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out opening the channel')), timeoutMs);
    try {
      via.client.forwardOut('127.0.0.1', 0, host, port, (err, channel) => {
        clearTimeout(timer);
        if (err) return reject(err);
        resolve(Object.assign(channel, { setNoDelay: () => channel }) as unknown as Socket);
      });
    } catch (err) {
      clearTimeout(timer);
      reject(err as Error);
    }
  });
}

function relabel(err: unknown, label: string): DialError {
  if (err instanceof DialError) return new DialError({ ...err.failure, message: `${label}: ${err.failure.message}` });
  return new DialError({ kind: 'network', message: `${label}: ${(err as Error).message}`, retryable: true });
}

/**
 * Dials hops[0], then each next hop through the previous one, then the target through
 * the last. Every connection of the chain dies with any other: the target's link is
 * useless without its hops, and hops without the target would only leak.
 */
export async function dialChain(hops: ChainEndpoint[], target: ChainEndpoint, first: boolean, timeoutMs: number, watch?: DialWatch): Promise<Connection> {
  // The first hop's bytes are the server answering; calling off reaches every dial of it.
  const rest: DialWatch | undefined = watch?.signal ? { signal: watch.signal } : undefined;
  const links: Connection[] = [];
  const destroyAll = (reason: string) => {
    for (const c of links) c.destroy(reason);
  };
  try {
    let prev: Connection | undefined;
    for (const [i, hop] of hops.entries()) {
      const label = hopLabel(hop.config, i, hops.length);
      let sock: Socket | undefined;
      if (prev) {
        const p = hops[i - 1];
        sock = await openStream(prev, hop.config.hostName, hop.config.port, timeoutMs).catch((err: Error) => {
          throw relabel(err, `${p ? hopLabel(p.config, i - 1, hops.length) : 'jump host'} could not reach ${hop.config.hostName} port ${hop.config.port}`);
        });
      }
      const conn = await hop.dial(first, sock, i === 0 ? watch : rest).catch((err: unknown) => {
        throw relabel(err, label);
      });
      links.push(conn);
      prev = conn;
    }
    const last = hops[hops.length - 1];
    if (!prev || !last) return await target.dial(first, undefined, watch);
    const sock = await openStream(prev, target.config.hostName, target.config.port, timeoutMs).catch((err: Error) => {
      throw relabel(err, `${hopLabel(last.config, hops.length - 1, hops.length)} could not reach ${target.config.hostName} port ${target.config.port}`);
    });
    const conn = await target.dial(first, sock, rest);
    for (const [i, hop] of links.entries()) {
      const label = hopLabel(hops[i]?.config ?? target.config, i, hops.length);
      hop.onClose((reason) => conn.destroy(`${label}: ${reason}`));
    }
    conn.onClose((reason) => destroyAll(reason));
    return conn;
  } catch (err) {
    destroyAll('jump chain failed');
    throw err;
  }
}
