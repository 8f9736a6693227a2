/**
 * -D / DynamicForward: a local SOCKS4/4a/5 listener; each CONNECT becomes a
 * `direct-tcpip` channel opened by the server to the requested host (names are resolved
 * on the server's side, as with ssh). The listener outlives every reconnect; a request
 * made during an outage waits for the link (LinkGate) before it is answered.
 */
import type { Socket } from 'node:net';
import type { DynamicForwardSpec } from '../config/types.js';
import { hostPort } from './listen.js';
import { ListeningForward } from './listening-forward.js';
import { relay } from './relay.js';
import { failed, SocksParser, SOCKS5_CONNECTION_REFUSED, succeeded } from './socks-parser.js';

/** ms a client may take to send its SOCKS request: a stuck client must not hold a socket. */
const REQUEST_TIMEOUT_MS = 30_000;

export function describeDynamic(spec: DynamicForwardSpec): string {
  return `-D ${spec.bindAddress ? `${spec.bindAddress}:` : ''}${spec.listenPort}`;
}

export class SocksForward extends ListeningForward<DynamicForwardSpec> {
  protected accept(sock: Socket): void {
    const parser = new SocksParser();
    const from = hostPort(sock.remoteAddress ?? '?', sock.remotePort ?? 0);
    const timer = setTimeout(() => sock.destroy(), REQUEST_TIMEOUT_MS);
    sock.on('error', () => sock.destroy());
    sock.once('close', () => clearTimeout(timer));
    const onData = (chunk: Buffer) => {
      for (const step of parser.push(chunk)) {
        switch (step.kind) {
          case 'more':
            return;
          case 'reply':
            sock.write(step.bytes);
            break;
          case 'fail':
            sock.off('data', onData);
            if (step.bytes) sock.end(step.bytes);
            sock.destroySoon();
            return;
          case 'connect':
            clearTimeout(timer);
            sock.off('data', onData);
            sock.pause();
            this.connect(sock, from, step.version, step.host, step.port, step.rest);
            return;
        }
      }
    };
    sock.on('data', onData);
  }

  private connect(sock: Socket, from: string, version: 4 | 5, host: string, port: number, rest: Buffer): void {
    const label = `${describeDynamic(this.spec)} SOCKS${version} to ${hostPort(host, port)} from ${from}`;
    const abort = new AbortController();
    const entry = { label, state: 'waiting' as 'waiting' | 'open', cut: (): void => void sock.destroy() };
    const forget = this.registry.add(entry);
    const early = () => abort.abort();
    sock.once('close', early);
    sock.once('close', forget);
    const target = { host, port, srcHost: sock.remoteAddress ?? '127.0.0.1', srcPort: sock.remotePort ?? 0 };
    this.gate.openDirect(target, abort.signal).then(
      ({ channel }) => {
        sock.off('close', early);
        if (sock.destroyed) return channel.close();
        sock.write(succeeded(version));
        // Bytes the client sent right behind its request (optimistic data) go first.
        if (rest.length) channel.write(rest);
        entry.state = 'open';
        entry.cut = relay(sock, channel, forget).cut;
        sock.resume();
      },
      (err: Error) => {
        if (sock.destroyed) return;
        this.warn(`stayssh: ${label}: ${err.message}`);
        sock.end(failed(version, SOCKS5_CONNECTION_REFUSED));
        sock.destroySoon();
      },
    );
  }
}
