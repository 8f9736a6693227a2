// A small TCP tool run *inside* a network namespace (`ip netns exec NS node THIS.js ...`),
// because the test process itself cannot enter one. Driven by netns-tcp.ts.
//
//   echo HOST       listens on HOST, an ephemeral port; prints {"port":N}; echoes every byte
//   probe           reads one JSON request a line on stdin, answers one JSON line on stdout:
//                     {"id", "port", "message", "timeoutMs", "retry"} ->
//                     {"id", "ok": true, "atMs", "attempts"} | {"id", "ok": false, "error", "attempts"}
//                   Each attempt is a fresh connection to 127.0.0.1:port that sends
//                   `message` and must read the same bytes back. With "retry", a failed
//                   attempt (refused, reset, closed early) is followed by another until
//                   `timeoutMs`, as a user's client retrying would; `atMs` is this
//                   machine's wall clock when the echo was complete.
import { connect, createServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

/** ms between two attempts of a retrying probe: a client that retries at once, but does not spin. */
const RETRY_GAP_MS = 20;

interface ProbeRequest {
  id: number;
  port: number;
  message: string;
  timeoutMs: number;
  retry: boolean;
}

function serveEcho(host: string): void {
  const server = createServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  server.listen(0, host, () => {
    const address = server.address();
    const port = address !== null && typeof address === 'object' ? address.port : 0;
    process.stdout.write(`${JSON.stringify({ port })}\n`);
  });
}

/** One connection, one message; resolves when the echo is complete, rejects otherwise. */
function attemptOnce(req: ProbeRequest, deadline: number, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve, reject) => {
    const expected = Buffer.byteLength(req.message);
    let got = 0;
    const sock = connect({ host: '127.0.0.1', port: req.port });
    sockets.add(sock);
    const timer = setTimeout(() => finish(new Error(`no echo within ${req.timeoutMs} ms (${got}/${expected} bytes)`)), Math.max(0, deadline - Date.now()));
    const finish = (err?: Error) => {
      clearTimeout(timer);
      sockets.delete(sock);
      sock.removeAllListeners();
      sock.on('error', () => undefined);
      sock.destroy();
      if (err) reject(err);
      else resolve();
    };
    sock.on('connect', () => sock.write(req.message));
    sock.on('data', (b: Buffer) => {
      got += b.length;
      if (got >= expected) finish();
    });
    sock.on('error', (e) => finish(e));
    sock.on('close', () => finish(new Error(`closed after ${got}/${expected} bytes`)));
  });
}

async function probe(req: ProbeRequest, sockets: Set<Socket>): Promise<object> {
  const deadline = Date.now() + req.timeoutMs;
  let attempts = 0;
  let lastError = '';
  for (;;) {
    attempts++;
    try {
      await attemptOnce(req, deadline, sockets);
      return { id: req.id, ok: true, atMs: Date.now(), attempts };
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (!req.retry || Date.now() + RETRY_GAP_MS >= deadline) return { id: req.id, ok: false, error: lastError, attempts };
    await new Promise((r) => setTimeout(r, RETRY_GAP_MS));
  }
}

function serveProbes(): void {
  const sockets = new Set<Socket>();
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    const req = JSON.parse(line) as ProbeRequest;
    void probe(req, sockets).then((answer) => process.stdout.write(`${JSON.stringify(answer)}\n`));
  });
  // The driver is gone: so are we.
  lines.on('close', () => process.exit(0));
}

const [mode, arg] = process.argv.slice(2);
if (mode === 'echo') serveEcho(arg ?? '127.0.0.1');
else if (mode === 'probe') serveProbes();
else {
  process.stderr.write('usage: netns-tcp-tool echo HOST | probe\n');
  process.exit(2);
}
