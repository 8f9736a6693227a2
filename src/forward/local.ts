/**
 * -L / LocalForward: a local listener whose connections become `direct-tcpip` channels to
 * connectHost:connectPort on the server's side. The listener lives for the whole run; each
 * connection rides the link that was up when it opened and is cut when that link dies
 * (an SSH channel cannot move to another connection).
 */
import type { Socket } from 'node:net';
import type { ForwardSpec } from '../config/types.js';
import { hostPort } from './listen.js';
import { ListeningForward } from './listening-forward.js';
import { relay } from './relay.js';

export function describeLocal(spec: ForwardSpec): string {
  const bind = spec.bindAddress ? `${spec.bindAddress}:` : '';
  return `-L ${bind}${spec.listenPort}:${hostPort(spec.connectHost, spec.connectPort)}`;
}

export class LocalForward extends ListeningForward<ForwardSpec> {
  protected accept(sock: Socket): void {
    const from = hostPort(sock.remoteAddress ?? '?', sock.remotePort ?? 0);
    const label = `${describeLocal(this.spec)} from ${from}`;
    const abort = new AbortController();
    const entry = { label, state: 'waiting' as 'waiting' | 'open', cut: (): void => void sock.destroy() };
    const forget = this.registry.add(entry);
    // Until the channel is open, the local peer going away only has to cancel the wait.
    const early = () => abort.abort();
    sock.once('close', early);
    sock.on('error', () => sock.destroy());
    sock.once('close', forget);
    const target = { host: this.spec.connectHost, port: this.spec.connectPort, srcHost: sock.remoteAddress ?? '127.0.0.1', srcPort: sock.remotePort ?? 0 };
    this.gate.openDirect(target, abort.signal).then(
      ({ channel }) => {
        sock.off('close', early);
        if (sock.destroyed) return channel.close();
        entry.state = 'open';
        entry.cut = relay(sock, channel, forget).cut;
      },
      (err: Error) => {
        if (!sock.destroyed) this.warn(`stayssh: ${label}: ${err.message}`);
        sock.destroy();
      },
    );
  }
}
