/**
 * The current link, as forwards see it: open a `direct-tcpip` channel now if the link is
 * up, or wait for the next one. A connection that arrives at a local listener during an
 * outage is held (the peer sees a slow connect, not a refusal) until the session has
 * re-dialed, and given up after LINK_WAIT_MS: a client that waits longer than that has
 * long given up itself, and the socket would only pile up.
 */
import type { ClientChannel } from 'ssh2';
import type { Connection } from '../transport/connection.js';

/** ms a connection arriving during an outage waits for the link before it is closed. */
export const LINK_WAIT_MS = 30_000;

export interface DirectTarget {
  host: string;
  port: number;
  /** The local peer, reported to the server (OpenSSH logs it). */
  srcHost: string;
  srcPort: number;
}

interface Waiter {
  open(conn: Connection): void;
  fail(reason: string): void;
}

export class LinkGate {
  private conn: Connection | undefined;
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly waitMs = LINK_WAIT_MS) {}

  get current(): Connection | undefined {
    return this.conn && !this.conn.closed ? this.conn : undefined;
  }

  up(conn: Connection): void {
    this.conn = conn;
    for (const w of [...this.waiters]) w.open(conn);
  }

  down(): void {
    this.conn = undefined;
  }

  /** Fails every waiter (stayssh is leaving). */
  close(reason: string): void {
    this.conn = undefined;
    for (const w of [...this.waiters]) w.fail(reason);
  }

  /**
   * Resolves with an open channel to `t` over the link it was opened on. Rejects when the
   * server refuses (target down, forwarding prohibited), when no link came within the
   * wait, or when `abort` is signalled (the local peer went away meanwhile).
   */
  openDirect(t: DirectTarget, abort?: AbortSignal): Promise<{ channel: ClientChannel; conn: Connection }> {
    return new Promise((resolve, reject) => {
      const pending: { timer?: NodeJS.Timeout } = {};
      const waiter: Waiter = {
        open: (conn) => {
          settle();
          forwardOut(conn, t).then((channel) => resolve({ channel, conn }), reject);
        },
        fail: (reason) => {
          settle();
          reject(new Error(reason));
        },
      };
      const onAbort = () => waiter.fail('the local connection closed');
      const settle = () => {
        this.waiters.delete(waiter);
        if (pending.timer) clearTimeout(pending.timer);
        abort?.removeEventListener('abort', onAbort);
      };
      const conn = this.current;
      if (conn) return waiter.open(conn);
      this.waiters.add(waiter);
      pending.timer = setTimeout(() => waiter.fail(`no link within ${Math.round(this.waitMs / 1000)}s`), this.waitMs);
      abort?.addEventListener('abort', onAbort);
    });
  }

  get waiting(): number {
    return this.waiters.size;
  }
}

/** ssh2's forwardOut as a promise; it throws synchronously when the socket is gone. */
export function forwardOut(conn: Connection, t: DirectTarget): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    try {
      conn.client.forwardOut(t.srcHost, t.srcPort, t.host, t.port, (err, channel) => (err ? reject(err) : resolve(channel)));
    } catch (err) {
      reject(err as Error);
    }
  });
}
