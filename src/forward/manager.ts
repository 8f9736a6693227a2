/**
 * ForwardManager: every -L, -R and -D of a run, kept alive across reconnects. It is the
 * session's LinkHooks: `up(conn)` after every (re)dial, `down()` when the link is lost.
 *
 *   start()      bind the local listeners (-L, -D) once, before the first link
 *   up(conn)     local/SOCKS connections waiting for a link proceed; -R requested again
 *   down()       connections that rode the dead link are closed at both ends; listeners
 *                stay open and new connections wait (LinkGate)
 *   describe()   the `~#` list
 *
 * ExitOnForwardFailure (as ssh): a listener that cannot bind, or a -R the server refuses
 * on the first link, ends the run with one line and 255. `guardFirstLink` wraps the
 * connector so that this check happens inside the first dial, whose failure every mode
 * already reports that way. Without it, failures are warnings and the run goes on.
 */
import type { ClientChannel, TcpConnectionDetails, AcceptConnection, RejectConnection } from 'ssh2';
import type { AddressFamily, ResolvedSshConfig } from '../config/types.js';
import type { LinkHooks } from '../transport/link-hooks.js';
import type { Connection } from '../transport/connection.js';
import type { Connector } from '../transport/connector.js';
import { DialError } from '../transport/dial.js';
import { StaysshError } from '../errors.js';
import { LinkGate } from './link-gate.js';
import { LocalForward } from './local.js';
import { ForwardRegistry } from './registry.js';
import { RemoteForward } from './remote.js';
import { SocksForward } from './socks-server.js';

export interface ForwardManagerOptions {
  config: Pick<ResolvedSshConfig, 'localForwards' | 'remoteForwards' | 'dynamicForwards' | 'exitOnForwardFailure' | 'addressFamily' | 'gatewayPorts'>;
  /** Problems worth a line on stderr (a refused forward, a failed target connect). */
  warn(text: string): void;
  /** Informational lines (an allocated -R port), as ssh prints them. */
  notice?(text: string): void;
  /** Overrides LINK_WAIT_MS (tests). */
  linkWaitMs?: number;
}

/** ExitOnForwardFailure: printed as the run's one line, exit 255. */
export class ForwardFailure extends StaysshError {}

export class ForwardManager implements LinkHooks {
  private readonly gate: LinkGate;
  private readonly registry = new ForwardRegistry();
  private readonly locals: LocalForward[];
  private readonly socks: SocksForward[];
  private readonly remotes: RemoteForward[];
  /** Links whose -R were already requested (by guardFirstLink), so up() does not ask twice. */
  private readonly requested = new WeakSet<Connection>();
  private current: Connection | undefined;
  private closed = false;

  constructor(private readonly o: ForwardManagerOptions) {
    this.gate = new LinkGate(o.linkWaitMs);
    const warn = (t: string) => this.o.warn(t);
    // GatewayPorts (ssh -g): a listener given no bind address listens on every address, as `*`.
    const bind = <T extends { bindAddress?: string }>(s: T): T =>
      (o.config.gatewayPorts === true && s.bindAddress === undefined ? { ...s, bindAddress: '*' } : s);
    this.locals = o.config.localForwards.map((s) => new LocalForward(bind(s), this.gate, this.registry, warn));
    this.socks = o.config.dynamicForwards.map((s) => new SocksForward(bind(s), this.gate, this.registry, warn));
    this.remotes = o.config.remoteForwards.map((s) => new RemoteForward(s, this.registry, (t) => (o.notice ?? o.warn)(t)));
  }

  /** True when there is anything to forward. */
  get active(): boolean {
    return this.locals.length + this.socks.length + this.remotes.length > 0;
  }

  /**
   * Binds the local listeners. With ExitOnForwardFailure a failure throws ForwardFailure
   * (one line); otherwise it is a warning and that forward is skipped.
   */
  async start(family: AddressFamily = this.o.config.addressFamily): Promise<void> {
    for (const f of [...this.locals, ...this.socks]) {
      try {
        await f.start(family);
      } catch (err) {
        const message = `${(err as Error).message} (${f instanceof LocalForward ? 'local' : 'dynamic'} forwarding)`;
        if (this.o.config.exitOnForwardFailure) {
          this.close();
          throw new ForwardFailure(message);
        }
        this.o.warn(`stayssh: ${message}`);
      }
    }
  }

  up = (conn: Connection): void => {
    if (this.closed) return;
    this.current = conn;
    conn.client.on('tcp connection', (d: TcpConnectionDetails, accept: AcceptConnection<ClientChannel>, reject: RejectConnection) => this.incoming(conn, d, accept, reject));
    if (!this.requested.has(conn)) void this.requestRemotes(conn, true);
    this.gate.up(conn);
  };

  down = (): void => {
    this.current = undefined;
    this.gate.down();
    for (const r of this.remotes) r.down();
    this.registry.cutOpen();
  };

  describe = (): string[] => this.registry.describe();

  /** Closes listeners and every forwarded connection (stayssh is leaving). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const f of [...this.locals, ...this.socks]) f.close();
    this.gate.close('stayssh is exiting');
    this.registry.cutAll();
  }

  /**
   * A connector whose first dial also sets up the -R forwards and, with
   * ExitOnForwardFailure, fails (non-retryable, so exit 255) when the server refuses one.
   */
  guardFirstLink(connector: Connector): Connector {
    if (!this.o.config.exitOnForwardFailure || this.remotes.length === 0) return connector;
    return {
      get gate() {
        return connector.gate;
      },
      config: connector.config,
      dialedHost: connector.dialedHost,
      dial: async (first: boolean) => {
        const conn = await connector.dial(first);
        if (!first) return conn;
        this.requested.add(conn);
        const refusals: string[] = [];
        const ok = await this.requestRemotes(conn, false, refusals);
        if (!ok) {
          conn.destroy('forwarding refused');
          throw new DialError({ kind: 'protocol', message: refusals[0] ?? 'remote port forwarding failed', retryable: false });
        }
        return conn;
      },
    };
  }

  /** Requests every -R on `conn`; resolves false if any was refused (and not retried). */
  private async requestRemotes(conn: Connection, retry: boolean, refusals?: string[]): Promise<boolean> {
    const results = await Promise.all(
      this.remotes.map((r) =>
        r.request(conn, retry, (message) => {
          if (refusals) refusals.push(message);
          else this.o.warn(`stayssh: ${message}`);
        }),
      ),
    );
    return results.every(Boolean);
  }

  private incoming(conn: Connection, d: TcpConnectionDetails, accept: AcceptConnection<ClientChannel>, reject: RejectConnection): void {
    const forward = this.current === conn ? this.remotes.find((r) => r.matches(conn, d)) : undefined;
    if (!forward) return reject();
    forward.accept(d, accept, reject, (t) => this.o.warn(t));
  }
}
