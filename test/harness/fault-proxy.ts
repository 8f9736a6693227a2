// A TCP proxy in front of a server that breaks the link on command, the way networks do:
//   pass       relay both ways (half-close included)
//   reset()    every current link gets an RST on both ends (a NAT box rebooting)
//   blackhole  nothing moves either way and nothing closes (dead Wi-Fi, a sleeping laptop):
//              reading is paused, so the kernel's windows fill and writers see backpressure;
//              new connections are accepted and held, never dialled through
//   refuse()   the port is closed: new connections are refused by the kernel (links
//              already relaying are left alone, as when a listener goes away)
//   restore()  back to pass; black-holed links stay dead and are destroyed
//   stall()    nothing moves either way, but nothing is lost or closed either: after
//              unstall() the same links carry on (a Wi-Fi hiccup, a congested uplink)
//   holdNewLinks()  new connections are accepted but wait, not dialled through, until
//              released (a slow network path); links already up go on
//   onRelay()  a watcher sees each chunk relayed and may reset that one link there, to
//              cut a protocol at an exact step (test/harness/ssh-login-steps.ts)
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { LOOPBACK } from './free-port.js';

export type ProxyMode = 'pass' | 'blackhole' | 'refuse';

export interface AcceptInfo {
  /** 1-based sequence number of the accepted connection. */
  id: number;
  remotePort: number;
  /** The mode when it was accepted. */
  mode: ProxyMode;
}

/** One chunk a link passed on: `to-server` is client -> server. */
export interface RelayedChunk {
  /** The link's accept sequence number (AcceptInfo.id). */
  linkId: number;
  direction: 'to-server' | 'to-client';
  chunk: Buffer;
}

/**
 * What a watcher wants done with the link after seeing a chunk:
 *   'reset'           hand the chunk on, then reset the link (RST both ends)
 *   'lose-and-reset'  the chunk vanishes and the link is reset (the fault came first)
 *   undefined         relay as usual
 */
export type RelayVerdict = 'reset' | 'lose-and-reset' | undefined;
export type RelayWatcher = (relayed: RelayedChunk) => RelayVerdict;

interface Link {
  id: number;
  client: Socket;
  /** Absent for links accepted while black-holed (never dialled through). */
  upstream?: Socket;
  /** Caught in a black hole: relays nothing, ever again. */
  held: boolean;
  dead: boolean;
}

export interface FaultProxy {
  readonly host: string;
  /** The proxy's own port: point clients here. */
  readonly port: number;
  readonly mode: ProxyMode;
  /** Connections accepted since start (any mode). */
  readonly connectionsAccepted: number;
  /** Client connections currently open (including black-holed ones). */
  readonly activeLinks: number;
  /** Calls `listener` for each accepted connection; returns an unsubscribe function. */
  onAccept(listener: (info: AcceptInfo) => void): () => void;
  /** Calls `watcher` for each chunk relayed; returns an unsubscribe function. */
  onRelay(watcher: RelayWatcher): () => void;
  reset(): void;
  blackhole(): void;
  refuse(): Promise<void>;
  restore(opts?: { keepServerSide?: boolean }): Promise<void>;
  stall(): void;
  unstall(): void;
  /**
   * New connections are accepted but not dialled through (their first bytes wait, as
   * after a lost SYN) until the returned function is called; links already up go on.
   */
  holdNewLinks(): () => void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: { host?: string; port: number }): Promise<FaultProxy> {
  const proxy = new Proxy(target.host ?? LOOPBACK, target.port);
  await proxy.listen(0);
  return proxy;
}

class Proxy implements FaultProxy {
  readonly host = LOOPBACK;
  port = 0;
  mode: ProxyMode = 'pass';
  connectionsAccepted = 0;
  private server: Server | undefined;
  private readonly links = new Set<Link>();
  private readonly listeners = new Set<(info: AcceptInfo) => void>();
  private readonly watchers = new Set<RelayWatcher>();
  /** Server-side sockets of black-holed links kept after restore({ keepServerSide }). */
  private readonly stranded = new Set<Socket>();
  /** holdNewLinks() in force: links accepted meanwhile, waiting to be dialled through. */
  private waiting: Link[] | undefined;
  /** stall() in force: every link paused, bytes already read still delivered. */
  private stalled = false;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  get activeLinks(): number {
    return this.links.size;
  }

  onAccept(listener: (info: AcceptInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onRelay(watcher: RelayWatcher): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  listen(port: number): Promise<void> {
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => {
        server.off('error', reject);
        // Errors after listening (EMFILE...) must not crash the test process.
        server.on('error', () => undefined);
        const address = server.address();
        if (address !== null && typeof address !== 'string') this.port = address.port;
        resolve();
      });
    });
  }

  reset(): void {
    for (const link of [...this.links]) this.kill(link, true);
  }

  blackhole(): void {
    this.mode = 'blackhole';
    for (const link of this.links) {
      link.held = true;
      link.client.pause();
      link.upstream?.pause();
    }
  }

  async refuse(): Promise<void> {
    this.mode = 'refuse';
    const server = this.server;
    this.server = undefined;
    // close() stops listening synchronously; its callback waits for open links, so don't wait.
    server?.close();
  }

  async restore(opts: { keepServerSide?: boolean } = {}): Promise<void> {
    for (const link of [...this.links]) {
      if (!link.held) continue;
      if (opts.keepServerSide && link.upstream) {
        // The server never learns the client is gone, like after a roam: its session
        // lingers until close() (tests of "stale client still attached" need this).
        this.stranded.add(link.upstream);
        link.upstream = undefined;
      }
      this.kill(link, true);
    }
    if (this.server === undefined) await this.listen(this.port);
    this.mode = 'pass';
  }

  stall(): void {
    this.stalled = true;
    for (const link of this.links) {
      link.client.pause();
      link.upstream?.pause();
    }
  }

  unstall(): void {
    this.stalled = false;
    for (const link of this.links) {
      if (link.dead || link.held) continue;
      link.client.resume();
      link.upstream?.resume();
    }
  }

  holdNewLinks(): () => void {
    const waiting: Link[] = (this.waiting ??= []);
    return () => {
      if (this.waiting === waiting) this.waiting = undefined;
      for (const link of waiting.splice(0)) this.dialThrough(link);
    };
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.mode = 'refuse';
    for (const link of [...this.links]) this.kill(link, false);
    for (const socket of this.stranded) socket.destroy();
    this.stranded.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const link: Link = { id: ++this.connectionsAccepted, client, held: this.mode === 'blackhole', dead: false };
    this.links.add(link);
    client.on('error', () => this.kill(link, true));
    client.on('close', () => this.closed(link));
    const info: AcceptInfo = { id: link.id, remotePort: client.remotePort ?? 0, mode: this.mode };
    for (const listener of this.listeners) {
      try {
        listener(info);
      } catch {
        // A throwing test hook must not take the proxy down.
      }
    }
    // Accepted from the backlog just as refuse() closed the port: refuse it after all.
    if (this.mode === 'refuse') return this.kill(link, true);
    if (link.held) return; // Black-holed: held, paused, never dialled through.
    if (this.waiting) this.waiting.push(link);
    else this.dialThrough(link);
  }

  private dialThrough(link: Link): void {
    if (link.dead || link.held) return;
    const client = link.client;
    const upstream = createConnection({ host: this.targetHost, port: this.targetPort, allowHalfOpen: true });
    link.upstream = upstream;
    upstream.on('error', () => this.kill(link, true));
    upstream.on('close', () => this.closed(link));
    this.relay(link, client, upstream);
    this.relay(link, upstream, client);
    upstream.once('connect', () => {
      if (!link.held && !link.dead && !this.stalled) client.resume();
    });
  }

  /** from -> to with backpressure; FIN is passed on as FIN (half-close). */
  private relay(link: Link, from: Socket, to: Socket): void {
    const direction = from === link.client ? 'to-server' : 'to-client';
    from.on('data', (chunk: Buffer) => {
      if (link.dead || link.held) return; // Bytes in flight vanish.
      const verdict = this.watchers.size > 0 ? this.verdictOn({ linkId: link.id, direction, chunk }) : undefined;
      if (verdict === 'lose-and-reset') return this.kill(link, true);
      if (verdict === 'reset') {
        // Nothing more moves on this link; the RST follows once the kernel has the chunk.
        link.held = true;
        to.write(chunk, () => this.kill(link, true));
        return;
      }
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => {
          if (!link.dead && !link.held && !this.stalled) from.resume();
        });
      }
    });
    from.on('end', () => {
      if (!link.dead && !link.held) to.end();
    });
  }

  /** The strongest verdict of the watchers: losing the chunk wins over passing it on. */
  private verdictOn(relayed: RelayedChunk): RelayVerdict {
    let verdict: RelayVerdict;
    for (const watcher of this.watchers) {
      try {
        const v = watcher(relayed);
        if (v === 'lose-and-reset' || (v === 'reset' && verdict === undefined)) verdict = v;
      } catch {
        // A throwing test hook must not take the proxy down.
      }
    }
    return verdict;
  }

  /**
   * One side closed cleanly. Never destroy the other side here: it may still be flushing
   * bytes we relayed (destroy() drops them). 'end' already passed the FIN on; the link is
   * over when both sides are closed.
   */
  private closed(link: Link): void {
    if (link.dead) return;
    const sides = [link.client, link.upstream];
    if (sides.every((s) => s === undefined || s.closed)) {
      link.dead = true;
      this.links.delete(link);
    }
  }

  /** Ends a link on both sides: with RST when `rst`, else a plain destroy. */
  private kill(link: Link, rst: boolean): void {
    if (link.dead) return;
    link.dead = true;
    this.links.delete(link);
    for (const socket of [link.client, link.upstream]) {
      if (!socket || socket.destroyed) continue;
      // resetAndDestroy needs a connected handle; fall back to destroy otherwise.
      if (rst && !socket.connecting && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
      else socket.destroy();
    }
  }
}
