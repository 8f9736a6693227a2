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
  /** Set by close(): nothing waits any more. */
  private closedReason: string | undefined;

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
    this.closedReason = reason;
    for (const w of [...this.waiters]) w.fail(reason);
  }

  /**
   * Resolves with an open channel to `t` over the link it was opened on. Rejects when the
   * server refuses (target down, forwarding prohibited), when no link came within the
   * wait, or when `abort` is signalled (the local peer went away meanwhile).
   *
   * A link that dies before the server answered the open (a roam not yet noticed puts
   * the request on a black hole; ssh2 then fails it with "No response from server") is
   * not a refusal: nothing of the local connection has been sent yet (the relay starts
   * only once the channel is open), so the request waits for the next link and is made
   * again there, exactly as if it had arrived during the outage.
   */
  openDirect(t: DirectTarget, abort?: AbortSignal): Promise<{ channel: ClientChannel; conn: Connection }> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let done = false;
      const finish = (err: Error | undefined, value?: { channel: ClientChannel; conn: Connection }) => {
        if (done) return;
        done = true;
        this.waiters.delete(waiter);
        if (timer) clearTimeout(timer);
        abort?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else if (value) resolve(value);
      };
      const waiter: Waiter = {
        open: (conn) => {
          // On a link: the wait is over (a slow target connect on a live link is the
          // server's to time out, not ours).
          this.waiters.delete(waiter);
          if (timer) clearTimeout(timer);
          timer = undefined;
          forwardOut(conn, t).then(
            (channel) => {
              if (done) return closeQuietly(channel);
              finish(undefined, { channel, conn });
            },
            (err: Error) => {
              if (done) return;
              if (conn.closed || this.conn !== conn) return wait();
              finish(err);
            },
          );
        },
        fail: (reason) => finish(new Error(reason)),
      };
      const onAbort = () => waiter.fail('the local connection closed');
      const wait = () => {
        if (this.closedReason !== undefined) return waiter.fail(this.closedReason);
        const conn = this.current;
        if (conn) return waiter.open(conn);
        this.waiters.add(waiter);
        timer = setTimeout(() => waiter.fail(`no link within ${Math.round(this.waitMs / 1000)}s`), this.waitMs);
      };
      if (abort?.aborted) return waiter.fail('the local connection closed');
      abort?.addEventListener('abort', onAbort);
      wait();
    });
  }

  get waiting(): number {
    return this.waiters.size;
  }
}

function closeQuietly(channel: ClientChannel): void {
  try {
    channel.close();
  } catch {
    // The link is gone already.
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
