// Tools for the forwarding tests: a TCP echo server to forward to, one-shot echo clients
// (plain, SOCKS5, SOCKS4), and a socket that reports when it closes.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';

/** Deadline for one echo exchange through a forward, ms: a login plus a round trip, loaded box. */
export const ECHO_TIMEOUT_MS = 5_000;

export interface EchoServer {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

/** Echoes every byte back; half-close passed on (end after the client ends). */
export async function startEcho(host = '127.0.0.1'): Promise<EchoServer> {
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true }, (s) => {
    accepted++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.pipe(s);
  });
  server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('echo server has no port');
  return {
    port: address.port,
    get accepted() {
      return accepted;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Reads from `sock` until `expected` bytes arrived, or fails on close/timeout. */
function readExactly(sock: Socket, expected: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const timer = setTimeout(() => done(new Error(`timed out after ${timeoutMs} ms with ${got}/${expected} bytes`)), timeoutMs);
    const onData = (b: Buffer) => {
      chunks.push(b);
      got += b.length;
      if (got >= expected) done();
    };
    const onClose = () => done(new Error(`closed after ${got}/${expected} bytes`));
    const done = (err?: Error) => {
      clearTimeout(timer);
      sock.off('data', onData);
      sock.off('close', onClose);
      sock.off('error', onClose);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks));
    };
    sock.on('data', onData);
    sock.once('close', onClose);
    sock.once('error', onClose);
  });
}

export async function openSocket(port: number, host = '127.0.0.1'): Promise<Socket> {
  const sock = connect({ host, port });
  sock.on('error', () => undefined);
  await once(sock, 'connect');
  return sock;
}

/** Sends `message` on `sock` and resolves with what comes back (same length). */
export async function exchange(sock: Socket, message: string, timeoutMs = ECHO_TIMEOUT_MS): Promise<string> {
  const reply = readExactly(sock, Buffer.byteLength(message), timeoutMs);
  sock.write(message);
  return (await reply).toString();
}

/** One connection, one message, closed: resolves with the echo. */
export async function echoVia(port: number, message: string, timeoutMs = ECHO_TIMEOUT_MS): Promise<string> {
  const sock = await openSocket(port);
  try {
    return await exchange(sock, message, timeoutMs);
  } finally {
    sock.destroy();
  }
}

/** A SOCKS5 CONNECT (no auth) to host:port through the proxy at `socksPort`; the tunnel socket. */
export async function socks5Connect(socksPort: number, host: string, port: number): Promise<Socket> {
  const sock = await openSocket(socksPort);
  sock.write(Buffer.from([0x05, 0x01, 0x00]));
  const method = await readExactly(sock, 2, ECHO_TIMEOUT_MS);
  if (method[0] !== 0x05 || method[1] !== 0x00) throw new Error(`SOCKS5 method reply ${method.toString('hex')}`);
  const name = Buffer.from(host, 'latin1');
  const req = Buffer.concat([Buffer.from([0x05, 0x01, 0x00, 0x03, name.length]), name, Buffer.from([port >> 8, port & 0xff])]);
  sock.write(req);
  const reply = await readExactly(sock, 10, 35_000);
  if (reply[1] !== 0x00) throw new Error(`SOCKS5 CONNECT refused (code ${reply[1]})`);
  return sock;
}

/** A SOCKS4 CONNECT to an IPv4 address (or SOCKS4a when `host` is a name). */
export async function socks4Connect(socksPort: number, host: string, port: number): Promise<Socket> {
  const sock = await openSocket(socksPort);
  const ip = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? host.split('.').map(Number) : [0, 0, 0, 1];
  const tail = ip[3] === 1 && ip[0] === 0 ? Buffer.concat([Buffer.from(host, 'latin1'), Buffer.from([0])]) : Buffer.alloc(0);
  sock.write(Buffer.concat([Buffer.from([0x04, 0x01, port >> 8, port & 0xff, ...ip]), Buffer.from('tester\0', 'latin1'), tail]));
  const reply = await readExactly(sock, 8, 35_000);
  if (reply[1] !== 0x5a) throw new Error(`SOCKS4 CONNECT refused (code ${reply[1]})`);
  return sock;
}

/** Resolves when `sock` has closed (both ends gone). */
export function closed(sock: Socket): Promise<void> {
  return sock.destroyed && sock.closed ? Promise.resolve() : once(sock, 'close').then(() => undefined);
}
