// The fault proxy breaks links the way networks do, seen by the system `ssh` client:
// pass relays, reset kills a running session at once, blackhole starves it until its own
// ServerAlive probes give up, refuse makes new connections fail, restore brings it back.
import assert from 'node:assert/strict';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { run, start, type Running } from '../harness/run.js';
import { clientArgs, isolatedClientEnv } from '../harness/ssh-client.js';
import { startSshd } from '../harness/sshd.js';
import type { TestServer } from '../harness/test-server.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';
import { waitFor } from '../harness/wait-for.js';

/** A reset must end ssh promptly (ms): it is an RST, not a timeout. */
const RESET_NOTICED_WITHIN_MS = 5_000;
/** ServerAliveInterval 1 s x CountMax 2 = ~3 s of silence, plus slack for CI (ms). */
const BLACKHOLE_NOTICED_WITHIN_MS = 15_000;

describe('fault proxy in front of an SSH server', () => {
  let server: TestServer;
  let proxy: FaultProxy;
  let tmp: TempDir;
  const running: Running[] = [];

  before(async () => {
    tmp = makeTempDir('test-proxy');
    server = await startSshd();
    proxy = await startFaultProxy({ port: server.port });
  });
  after(async () => {
    for (const r of running) r.kill();
    await proxy?.close();
    await server?.close();
    tmp?.close();
  });

  const sshThroughProxy = (command: string, options: Record<string, string> = {}) =>
    [...clientArgs(server, { port: proxy.port, options }), command];

  /** Starts `ssh ... 'echo ready; sleep 100'` through the proxy and waits until it is in. */
  async function startLongSession(options: Record<string, string> = {}): Promise<Running> {
    const ssh = start('ssh', sshThroughProxy('echo ready; exec sleep 100', options), { env: isolatedClientEnv(tmp.path) });
    running.push(ssh);
    await waitFor(() => ssh.stdout().includes('ready'), { what: 'the session through the proxy to start', detail: () => ssh.stderr() });
    return ssh;
  }

  it('pass: relays a command and counts the connection', async () => {
    const accepted: number[] = [];
    const unsubscribe = proxy.onAccept((info) => accepted.push(info.id));
    const before = proxy.connectionsAccepted;
    const result = await run('ssh', sshThroughProxy('echo through-proxy; exit 4'), {
      env: isolatedClientEnv(tmp.path),
    });
    unsubscribe();
    assert.equal(result.stdout, 'through-proxy\n', result.stderr);
    assert.equal(result.code, 4);
    assert.equal(proxy.connectionsAccepted, before + 1);
    assert.deepEqual(accepted, [before + 1]);
  });

  it('reset: a running ssh dies at once with 255', async () => {
    const ssh = await startLongSession();
    assert.equal(proxy.activeLinks, 1);
    const t0 = Date.now();
    proxy.reset();
    const status = await waitFor(() => (ssh.child.exitCode !== null ? ssh.exited : null), {
      timeoutMs: RESET_NOTICED_WITHIN_MS,
      what: 'ssh to die after the reset',
    });
    assert.equal(status.code, 255);
    assert.match(status.stderr, /reset|Broken pipe|closed/i);
    assert.ok(Date.now() - t0 < RESET_NOTICED_WITHIN_MS);
    await waitFor(() => proxy.activeLinks === 0, { what: 'the proxy to drop the link' });
  });

  it('blackhole: ssh with ServerAliveInterval=1 gives up on its own; restore brings service back', async () => {
    const ssh = await startLongSession({
      ServerAliveInterval: '1',
      ServerAliveCountMax: '2',
    });
    proxy.blackhole();
    const status = await waitFor(() => (ssh.child.exitCode !== null ? ssh.exited : null), {
      timeoutMs: BLACKHOLE_NOTICED_WITHIN_MS,
      what: 'ssh to notice the black hole (ServerAlive timeout)',
    });
    assert.equal(status.code, 255);
    assert.match(status.stderr, /Timeout, server .* not responding/);
    // New connections are accepted but hear nothing: the link stays open, silent.
    const probe = createConnection({ host: '127.0.0.1', port: proxy.port });
    probe.on('error', () => undefined);
    await waitFor(() => proxy.activeLinks >= 1 && probe.readyState === 'open', { what: 'a held connection in blackhole mode' });
    probe.destroy();
    await proxy.restore();
    assert.equal(proxy.mode, 'pass');
    const result = await run('ssh', sshThroughProxy('echo restored'), {
      env: isolatedClientEnv(tmp.path),
    });
    assert.equal(result.stdout, 'restored\n', result.stderr);
  });

  it('refuse: a new ssh fails with "Connection refused"; restore on the same port', async () => {
    const port = proxy.port;
    await proxy.refuse();
    const result = await run('ssh', sshThroughProxy('echo unreachable'), {
      env: isolatedClientEnv(tmp.path),
    });
    assert.equal(result.code, 255);
    assert.match(result.stderr, /Connection refused|reset/);
    await proxy.restore();
    assert.equal(proxy.port, port);
    const again = await run('ssh', sshThroughProxy('echo back'), {
      env: isolatedClientEnv(tmp.path),
    });
    assert.equal(again.stdout, 'back\n', again.stderr);
  });
});

describe('fault proxy over raw TCP', () => {
  let echo: Server;
  let proxy: FaultProxy;
  const serverSides = new Set<Socket>();
  /** Everything the echo server received, as text. */
  let serverReceived = '';
  before(async () => {
    // Echoes everything, then closes its side only after the client half-closed.
    echo = createServer({ allowHalfOpen: true }, (s) => {
      serverSides.add(s);
      s.on('data', (c: Buffer) => (serverReceived += c.toString()));
      s.on('close', () => serverSides.delete(s));
      s.on('error', () => undefined);
      s.pipe(s);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const address = echo.address();
    proxy = await startFaultProxy({ port: typeof address === 'object' && address ? address.port : 0 });
  });
  after(async () => {
    await proxy?.close();
    await new Promise((resolve) => echo?.close(resolve));
  });

  it('carries a large payload both ways and passes half-close on', async () => {
    const payload = Buffer.alloc(4 * 1024 * 1024, 'x'); // Several socket buffers' worth.
    const socket = createConnection({ host: '127.0.0.1', port: proxy.port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise<void>((resolve) => socket.on('end', resolve));
    socket.end(payload); // Half-close: the echo server must still answer in full.
    await ended;
    assert.equal(Buffer.concat(chunks).length, payload.length);
    socket.destroy();
    await waitFor(() => proxy.activeLinks === 0, { what: 'the link to be released after both FINs' });
  });

  it('restore({ keepServerSide }) resets the client but leaves the server side stranded', async () => {
    const socket = createConnection({ host: '127.0.0.1', port: proxy.port });
    const closed = new Promise<unknown>((resolve) => socket.on('error', resolve).on('close', resolve));
    await waitFor(() => serverSides.size === 1, { what: 'the server to see the connection' });
    proxy.blackhole();
    socket.write('lost in the black hole');
    await proxy.restore({ keepServerSide: true });
    await closed;
    assert.equal(proxy.activeLinks, 0);
    assert.equal(serverSides.size, 1, 'the server still believes in the connection');
    await proxy.close(); // close() finally drops it.
    await waitFor(() => serverSides.size === 0, { what: 'the stranded server side to close on proxy close' });
    proxy = await startFaultProxy({ port: (echo.address() as { port: number }).port });
  });

  it('onRelay: a link is reset right after a chunk is passed on, or with the chunk lost', async () => {
    const stop = proxy.onRelay(({ direction, chunk }) => {
      if (direction !== 'to-server') return undefined;
      if (chunk.toString() === 'passed on') return 'reset';
      if (chunk.toString() === 'lost') return 'lose-and-reset';
      return undefined;
    });
    try {
      for (const [message, arrives] of [['passed on', true], ['lost', false]] as const) {
        const socket = createConnection({ host: '127.0.0.1', port: proxy.port });
        const closed = new Promise<unknown>((resolve) => socket.on('error', resolve).on('close', resolve));
        await waitFor(() => serverSides.size === 1, { what: 'the server to see the connection' });
        serverReceived = '';
        socket.write(message);
        await closed;
        await waitFor(() => serverSides.size === 0, { what: 'the server side to be reset too' });
        assert.equal(serverReceived, arrives ? message : '', `what the server got of "${message}"`);
      }
    } finally {
      stop();
    }
  });

  it('holdNewLinks: a new connection waits, not dialled through, until released', async () => {
    const accepted = proxy.connectionsAccepted;
    const release = proxy.holdNewLinks();
    const socket = createConnection({ host: '127.0.0.1', port: proxy.port });
    try {
      const reply = new Promise<string>((resolve) => socket.once('data', (c: Buffer) => resolve(c.toString())));
      socket.write('waited');
      await waitFor(() => proxy.connectionsAccepted === accepted + 1, { what: 'the proxy to accept the connection' });
      assert.equal(serverSides.size, 0, 'not dialled through while held');
      release();
      assert.equal(await reply, 'waited');
    } finally {
      socket.destroy();
    }
  });

  it('reset with no links and refuse/restore twice are harmless', async () => {
    proxy.reset();
    await proxy.refuse();
    await proxy.refuse();
    await proxy.restore();
    await proxy.restore();
    assert.equal(proxy.mode, 'pass');
  });
});
