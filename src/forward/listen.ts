/**
 * Local listening sockets for -L and -D, bound the way ssh(1) binds them: no bind
 * address means loopback only (127.0.0.1 and ::1, as GatewayPorts=no), `*` every
 * interface, anything else that address. Listeners are bound once, before the first link,
 * and stay open across every reconnect: a user's browser pointed at a SOCKS port must not
 * see "connection refused" because Wi-Fi blinked.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressFamily } from '../config/types.js';

export interface ListenSpec {
  bindAddress?: string;
  listenPort: number;
}

/** `[addr]:port` the way ssh prints it. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function addressesFor(spec: ListenSpec, family: AddressFamily): string[] {
  const bind = spec.bindAddress;
  if (bind === undefined || bind === 'localhost') {
    if (family === 'inet') return ['127.0.0.1'];
    if (family === 'inet6') return ['::1'];
    return ['127.0.0.1', '::1'];
  }
  if (bind === '*' || bind === '') return [family === 'inet' ? '0.0.0.0' : '::'];
  return [bind];
}

function listenOn(host: string, port: number, onConnection: (sock: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    // allowHalfOpen: a client that shuts down its sending side still gets its answer.
    const server = createServer({ allowHalfOpen: true, noDelay: true }, onConnection);
    server.once('error', reject);
    // '::' with ipv6Only false takes IPv4 too (dual stack), as '*' means in ssh.
    server.listen({ host, port, ipv6Only: false }, () => {
      server.off('error', reject);
      server.on('error', () => undefined); // After bind, accept errors (EMFILE) must not crash us.
      resolve(server);
    });
  });
}

export interface BoundListener {
  servers: Server[];
  /** Addresses actually listening, for messages. */
  where: string[];
}

/**
 * Binds every address of `spec`. Like ssh, success if at least one bound (a host with no
 * IPv6 still forwards on 127.0.0.1); otherwise rejects with the first error, worded.
 */
export async function bindListener(spec: ListenSpec, family: AddressFamily, onConnection: (sock: Socket) => void): Promise<BoundListener> {
  const result: BoundListener = { servers: [], where: [] };
  let firstError: string | undefined;
  for (const host of addressesFor(spec, family)) {
    try {
      result.servers.push(await listenOn(host, spec.listenPort, onConnection));
      result.where.push(hostPort(host, spec.listenPort));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why = e.code === 'EADDRINUSE' ? 'address already in use' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EADDRNOTAVAIL' ? 'address not available' : e.message;
      firstError ??= `cannot listen on ${hostPort(host, spec.listenPort)}: ${why}`;
    }
  }
  if (result.servers.length === 0) throw new Error(firstError ?? `cannot listen on port ${spec.listenPort}`);
  return result;
}

export function closeListener(l: BoundListener): void {
  for (const s of l.servers) s.close();
}
