/**
 * -R / RemoteForward: ask the server to listen (`tcpip-forward`) and carry each
 * connection it accepts back to connectHost:connectPort on this side. A forward lives on
 * the server only as long as the SSH connection that asked for it, so it is requested
 * again on every new link.
 *
 * After a link dies without a goodbye (a reset, a black hole) the server's old process
 * may hold the port until it notices, so a re-request can be refused for a while: it is
 * retried every REMOTE_RETRY_MS for as long as that link lives.
 */
import { connect as netConnect } from 'node:net';
import type { TcpConnectionDetails, AcceptConnection, RejectConnection, ClientChannel } from 'ssh2';
import type { ForwardSpec } from '../config/types.js';
import type { Connection } from '../transport/connection.js';
import { hostPort } from './listen.js';
import type { ForwardRegistry } from './registry.js';
import { relay } from './relay.js';

/** ms between re-requests of a remote forward the server refused after a re-dial. */
export const REMOTE_RETRY_MS = 2_000;
/** ms to connect to the local target of an incoming connection before refusing it. */
const TARGET_CONNECT_TIMEOUT_MS = 10_000;

export function describeRemote(spec: ForwardSpec): string {
  const bind = spec.bindAddress ? `${spec.bindAddress}:` : '';
  return `-R ${bind}${spec.listenPort}:${hostPort(spec.connectHost, spec.connectPort)}`;
}

/** What ssh sends as the address to bind: `localhost` unless told (ssh(1) channels.c). */
function bindAddressOf(spec: ForwardSpec): string {
  if (spec.bindAddress === undefined) return 'localhost';
  return spec.bindAddress === '*' ? '' : spec.bindAddress;
}

export function requestForward(conn: Connection, bind: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    try {
      conn.client.forwardIn(bind, port, (err, bound) => (err ? reject(err) : resolve(bound)));
    } catch (err) {
      reject(err as Error);
    }
  });
}

export class RemoteForward {
  /** The port the server gave for a `-R 0:...` forward; asked for again after a re-dial. */
  private allocated: number | undefined;
  /** The link on which the server is listening for us, if any. */
  private activeOn: Connection | undefined;

  constructor(
    readonly spec: ForwardSpec,
    private readonly registry: ForwardRegistry,
    private readonly notice: (text: string) => void,
  ) {}

  get bind(): string {
    return bindAddressOf(this.spec);
  }

  get port(): number {
    return this.allocated ?? this.spec.listenPort;
  }

  /** Is an incoming connection (as ssh2 reports it) for this forward on `conn`? */
  matches(conn: Connection, d: TcpConnectionDetails): boolean {
    return this.activeOn === conn && d.destPort === this.port && d.destIP === this.bind;
  }

  /**
   * Requests the forward on `conn`. Resolves true once the server listens; false when it
   * refused (reported through `refused`, and retried unless `retry` is false).
   */
  async request(conn: Connection, retry: boolean, refused: (message: string) => void): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      if (conn.closed) return false;
      try {
        const bound = await requestForward(conn, this.bind, this.port);
        if (this.spec.listenPort === 0 && this.allocated === undefined) {
          this.allocated = bound;
          this.notice(`Allocated port ${bound} for remote forward to ${hostPort(this.spec.connectHost, this.spec.connectPort)}`);
        }
        this.activeOn = conn;
        return true;
      } catch (err) {
        if (conn.closed) return false;
        if (attempt === 1) refused(`remote port forwarding failed for listen port ${this.port} (${describeRemote(this.spec)}): ${(err as Error).message}`);
        if (!retry) return false;
        await new Promise((r) => setTimeout(r, REMOTE_RETRY_MS).unref());
      }
    }
  }

  down(): void {
    this.activeOn = undefined;
  }

  /** Carries one incoming connection to the local target. */
  accept(d: TcpConnectionDetails, accept: AcceptConnection<ClientChannel>, reject: RejectConnection, warn: (text: string) => void): void {
    const label = `${describeRemote(this.spec)} from ${hostPort(d.srcIP, d.srcPort)} (server side)`;
    const sock = netConnect({ host: this.spec.connectHost, port: this.spec.connectPort, allowHalfOpen: true, noDelay: true });
    const timer = setTimeout(() => sock.destroy(new Error('connect timed out')), TARGET_CONNECT_TIMEOUT_MS);
    sock.once('error', (err) => {
      clearTimeout(timer);
      warn(`stayssh: ${label}: connect to ${hostPort(this.spec.connectHost, this.spec.connectPort)} failed: ${err.message}`);
      reject();
    });
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.removeAllListeners('error');
      let channel: ClientChannel;
      try {
        channel = accept();
      } catch {
        return sock.destroy(); // The link died between the open and our answer.
      }
      const entry = { label, state: 'open' as const, cut: (): void => void sock.destroy() };
      const forget = this.registry.add(entry);
      entry.cut = relay(sock, channel, forget).cut;
    });
  }
}
