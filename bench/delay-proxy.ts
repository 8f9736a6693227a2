// A slow link for the bench (issue 18): a TCP relay, and optionally a UDP one, that holds
// every chunk (every datagram) `--one-way-ms` in each direction, the way a long path
// does, since this kernel has no netem. It runs as a process of its own
// (bench/delay-proxy-child.ts starts it) so that the bench's own event loop, busy
// polling screens and spawning clients, cannot stretch the delays.
//
//   node dist/bench/delay-proxy.js --upstream PORT [--one-way-ms 25] [--udp-upstream PORT]
//
// Listens on 127.0.0.1, port 0 (TCP and, with --udp-upstream, UDP), and prints one JSON
// line once listening: {"tcpPort":N,"udpPort":M} (udpPort null without --udp-upstream).
// Exits on SIGTERM/SIGINT or when its stdin closes (the bench that started it is gone).
//
// What it models, per direction, a queue in arrival order and one timer for its head:
//   data       held oneWayMs, then written; order and bytes as received
//   FIN        (a half-close) queued behind the data, passed on as a half-close
//   RST        (an error or a close without FIN) queued behind the data, passed on as
//              a reset (resetAndDestroy), so the fault proxy's resets reach the client
//              as they would over a real path: oneWayMs late, behind the bytes before it
//   handshake  a new connection is dialled upstream 3 × oneWayMs after it was accepted
//              (SYN, SYN-ACK, then the ACK with the client's first bytes: a real server
//              accepts after one and a half round trips); the client's bytes wait for it
// It does not model bandwidth or loss: a slow link here is a long one, not a thin one.
import { createSocket, type RemoteInfo } from 'node:dgram';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

const HOST = '127.0.0.1';
/** Default one-way delay, ms: 25 each way is a 50 ms round trip (a far-away server). */
const DEFAULT_ONE_WAY_MS = 25;
/** Bytes held for one direction past which its source is paused (no unbounded memory). */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;
/** ...and resumed below this, bytes. */
const LOW_WATER_BYTES = 1024 * 1024;
/** Handshake: the upstream is dialled this many one-way delays after the accept. */
const HANDSHAKE_ONE_WAYS = 3;

type Item = { due: number; kind: 'data'; chunk: Buffer } | { due: number; kind: 'end' } | { due: number; kind: 'reset' };
type Payload = { kind: 'data'; chunk: Buffer } | { kind: 'end' } | { kind: 'reset' };

/**
 * One direction of the link: items leave in arrival order, each `delayMs` after it came
 * in. One timer, armed for the head of the queue only: a busy link is not thousands of
 * timers, and order cannot depend on timer ordering. Never early: a timer that fires a
 * fraction of a millisecond before the head is due is simply armed again.
 */
class DelayLine {
  private readonly items: Item[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private blocked: boolean;
  private closed = false;
  /** Bytes of data queued (for backpressure on the source). */
  heldBytes = 0;

  constructor(
    private readonly delayMs: number,
    private readonly deliver: (p: Payload) => void,
    opts: { blocked?: boolean } = {},
  ) {
    this.blocked = opts.blocked ?? false;
  }

  push(p: Payload): void {
    if (this.closed) return;
    this.items.push({ ...p, due: performance.now() + this.delayMs } as Item);
    if (p.kind === 'data') this.heldBytes += p.chunk.length;
    if (this.timer === undefined && !this.blocked) this.arm();
  }

  /** The far end is ready (the upstream connected): deliver what is due, keep the rest. */
  unblock(): void {
    this.blocked = false;
    this.flush();
  }

  /** Nothing more is delivered (the far end is gone); what is held is dropped. */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.items.length = 0;
    this.head = 0;
    this.heldBytes = 0;
  }

  private arm(): void {
    const next = this.items[this.head];
    if (next === undefined) return;
    this.timer = setTimeout(() => this.flush(), Math.max(0, Math.ceil(next.due - performance.now())));
  }

  private flush(): void {
    this.timer = undefined;
    if (this.blocked) return;
    const now = performance.now();
    while (!this.closed) {
      const next = this.items[this.head];
      if (next === undefined || next.due > now) break;
      this.head++;
      if (next.kind === 'data') this.heldBytes -= next.chunk.length;
      this.deliver(next);
    }
    if (this.closed) return;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head > 1024) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    this.arm();
  }
}

/**
 * Passes a reset on. What was written just before may still be lost: Linux drops a
 * socket's unread bytes when the RST arrives, over a real path as here.
 */
function reset(socket: Socket): void {
  if (socket.destroyed) return;
  // resetAndDestroy needs a connected handle (an upstream still dialling has none).
  if (!socket.connecting && socket.readyState !== 'closed') socket.resetAndDestroy();
  else socket.destroy();
}

/**
 * Calls `fin` if the peer's end was a FIN. libuv reports an RST that lands right behind
 * data as an end of stream too (the hang-up is seen after a partial read), so a
 * zero-length write tells them apart: it fails on a reset connection (and the failure
 * comes as the socket's 'error') and sends nothing on a half-closed one.
 */
function onFin(socket: Socket, fin: () => void): void {
  if (!socket.writable) return fin();
  socket.write(Buffer.alloc(0), (err) => {
    if (!err) fin();
  });
}

function relayTcp(client: Socket, upstreamPort: number, oneWayMs: number): void {
  client.setNoDelay(true);
  let upstream: Socket | undefined;
  let clientGone = false;
  let upstreamGone = false;
  let clientEnded = false;
  let upstreamEnded = false;

  const toClient: DelayLine = new DelayLine(oneWayMs, (p) => {
    if (p.kind === 'data') {
      client.write(p.chunk);
      if (upstream?.isPaused() && toClient.heldBytes + client.writableLength < LOW_WATER_BYTES) upstream.resume();
    } else if (p.kind === 'end') client.end();
    else {
      clientGone = true;
      reset(client);
    }
  });
  const toServer: DelayLine = new DelayLine(
    oneWayMs,
    (p) => {
      const up = upstream;
      if (up === undefined) return;
      if (p.kind === 'data') {
        up.write(p.chunk);
        if (client.isPaused() && toServer.heldBytes + up.writableLength < LOW_WATER_BYTES) client.resume();
      } else if (p.kind === 'end') up.end();
      else {
        upstreamGone = true;
        reset(up);
      }
    },
    { blocked: true },
  );
  client.on('drain', () => {
    if (upstream?.isPaused() && toClient.heldBytes + client.writableLength < LOW_WATER_BYTES) upstream.resume();
  });

  client.on('data', (chunk: Buffer) => {
    toServer.push({ kind: 'data', chunk });
    if (toServer.heldBytes + (upstream?.writableLength ?? 0) > HIGH_WATER_BYTES) client.pause();
  });
  client.on('end', () =>
    onFin(client, () => {
      clientEnded = true;
      toServer.push({ kind: 'end' });
    }),
  );
  // An error (ECONNRESET...) or a close without a FIN: the far end gets a reset.
  const clientBroke = () => {
    if (clientGone) return;
    clientGone = true;
    toClient.close();
    toServer.push({ kind: 'reset' });
  };
  client.on('error', clientBroke);
  client.on('close', () => {
    if (!clientEnded) clientBroke();
  });

  setTimeout(() => {
    if (clientGone) {
      toServer.close();
      return;
    }
    const up = createConnection({ host: HOST, port: upstreamPort, allowHalfOpen: true });
    upstream = up;
    up.setNoDelay(true);
    up.on('connect', () => toServer.unblock());
    up.on('data', (chunk: Buffer) => {
      toClient.push({ kind: 'data', chunk });
      if (toClient.heldBytes + client.writableLength > HIGH_WATER_BYTES) up.pause();
    });
    up.on('drain', () => {
      if (client.isPaused() && toServer.heldBytes + up.writableLength < LOW_WATER_BYTES) client.resume();
    });
    up.on('end', () =>
      onFin(up, () => {
        upstreamEnded = true;
        toClient.push({ kind: 'end' });
      }),
    );
    const upstreamBroke = () => {
      if (upstreamGone) return;
      upstreamGone = true;
      toServer.close();
      toClient.push({ kind: 'reset' });
    };
    up.on('error', upstreamBroke);
    up.on('close', () => {
      if (!upstreamEnded) upstreamBroke();
    });
  }, HANDSHAKE_ONE_WAYS * oneWayMs);
}

/**
 * UDP: datagrams from the upstream port go to the client (the last address that sent
 * one, as a roaming peer would be answered), everything else goes upstream; each held
 * oneWayMs, in order.
 */
function relayUdp(upstreamPort: number, oneWayMs: number): Promise<number> {
  const socket = createSocket('udp4');
  let client: RemoteInfo | undefined;
  const toServer = new DelayLine(oneWayMs, (p) => {
    if (p.kind === 'data') socket.send(p.chunk, upstreamPort, HOST);
  });
  const toClient = new DelayLine(oneWayMs, (p) => {
    if (p.kind === 'data' && client) socket.send(p.chunk, client.port, client.address);
  });
  socket.on('message', (msg, rinfo) => {
    if (rinfo.address === HOST && rinfo.port === upstreamPort) toClient.push({ kind: 'data', chunk: msg });
    else {
      client = rinfo;
      toServer.push({ kind: 'data', chunk: msg });
    }
  });
  // A datagram to a port nobody listens on comes back as ICMP, reported as an error on
  // the next send: a real path drops it silently, and so do we.
  socket.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, HOST, () => resolve(socket.address().port));
  });
}

function parseArgs(argv: string[]): { upstream: number; udpUpstream: number | null; oneWayMs: number } {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i < 0 ? undefined : argv[i + 1];
  };
  const port = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${flag} takes a port number, got ${v}`);
    return n;
  };
  const oneWay = Number(value('--one-way-ms') ?? DEFAULT_ONE_WAY_MS);
  if (!Number.isFinite(oneWay) || oneWay < 0) throw new Error('--one-way-ms takes a number of ms >= 0');
  const udp = value('--udp-upstream');
  return { upstream: port('--upstream', value('--upstream')), udpUpstream: udp === undefined ? null : port('--udp-upstream', udp), oneWayMs: oneWay };
}

async function main(): Promise<void> {
  const { upstream, udpUpstream, oneWayMs } = parseArgs(process.argv.slice(2));
  const server = createServer({ allowHalfOpen: true }, (client) => relayTcp(client, upstream, oneWayMs));
  // A failed accept (EMFILE...) must not end the link for every other connection.
  server.on('error', () => undefined);
  const tcpPort = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve((server.address() as AddressInfo).port));
  });
  const udpPort = udpUpstream === null ? null : await relayUdp(udpUpstream, oneWayMs);
  process.stdout.write(`${JSON.stringify({ tcpPort, udpPort })}\n`);
  const quit = () => process.exit(0);
  process.once('SIGTERM', quit);
  process.once('SIGINT', quit);
  process.stdin.on('end', quit);
  process.stdin.on('close', quit);
  process.stdin.resume();
}

main().catch((err: unknown) => {
  process.stderr.write(`delay-proxy: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
