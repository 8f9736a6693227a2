/**
 * One authenticated SSH connection: the ssh2 Client plus what ssh2 does not give us —
 * a count of received bytes for liveness (ssh2's own keepalive counter only resets on
 * keepalive replies, so a busy link could be declared dead), an on-demand keepalive
 * probe, and a single `closed` notification whatever way the link died.
 */
import { printableLine } from '../contracts/printable.js';
import type { Socket } from 'node:net';
import type { Client, ClientChannel, ExecOptions } from 'ssh2';

export type CloseListener = (reason: string) => void;

interface PrivateClient {
  _protocol?: { ping(): void };
  _callbacks?: Array<(err?: Error) => void>;
}

export class Connection {
  private readonly byteListeners = new Set<() => void>();
  private readonly closeListeners = new Set<CloseListener>();
  private closedReason: string | undefined;
  lastByteAt = Date.now();
  /** The local address of the TCP link (for a ProxyJump chain: of the first hop). */
  readonly localAddress: string | undefined;

  constructor(
    readonly client: Client,
    private readonly sock: Socket,
    /** The server's host key blob, as accepted. */
    readonly hostKey: Buffer,
  ) {
    this.localAddress = (sock as Partial<Socket>).localAddress;
    sock.on('data', () => {
      this.lastByteAt = Date.now();
      for (const l of this.byteListeners) l();
    });
    const onGone = (reason: string) => () => this.markClosed(reason);
    client.on('close', onGone('connection closed'));
    client.on('end', onGone('connection closed by remote host'));
    // The message may carry the server's disconnect text: made printable (BEHAVIOUR §7).
    client.on('error', (err: Error & { code?: string }) => this.markClosed(err.code === 'ECONNRESET' ? 'connection reset' : printableLine(err.message)));
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  /** Called for every chunk of bytes the socket receives (cheap: no allocation). */
  onBytes(listener: () => void): () => void {
    this.byteListeners.add(listener);
    return () => this.byteListeners.delete(listener);
  }

  onClose(listener: CloseListener): () => void {
    if (this.closedReason !== undefined) {
      const reason = this.closedReason;
      queueMicrotask(() => listener(reason));
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  exec(command: string, options: ExecOptions = {}): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error(`link is down (${this.closedReason})`));
      this.client.exec(command, options, (err, channel) => (err ? reject(err) : resolve(channel)));
    });
  }

  /**
   * Sends `keepalive@openssh.com` with want-reply: any reply (OpenSSH answers with a
   * failure) proves the link. ssh2 has no public call for this; its own keepalive does
   * exactly this and pushes a placeholder so that the reply does not consume the
   * callback of another pending global request. We do the same.
   */
  ping(): void {
    const priv = this.client as unknown as PrivateClient;
    if (this.closed || !priv._protocol || !priv._callbacks) return;
    priv._callbacks.push(() => undefined);
    priv._protocol.ping();
  }

  /** Ends the link at once (a dead link gets no polite goodbye: that would wait on it). */
  destroy(reason = 'closed by stayssh'): void {
    this.markClosed(reason);
    this.sock.destroy();
  }

  /** Polite close: sends SSH_MSG_DISCONNECT, for a normal exit. */
  end(): void {
    this.client.end();
  }

  private markClosed(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    for (const l of this.closeListeners) l(reason);
    this.closeListeners.clear();
    this.byteListeners.clear();
  }
}
