// -L, -R and -D with -N against a real sshd behind a fault proxy: each forward carries
// data, then carries data again after the link is reset, without restarting stayssh; a
// connection made during an outage completes once the link is back; connections cut by
// a reset close at both ends; ExitOnForwardFailure ends the run with one line and 255.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { type FaultProxy } from '../harness/fault-proxy.js';
import { startProxiedSshd, type ProxiedSshd } from '../harness/proxied-sshd.js';
import { freePort } from '../harness/free-port.js';
import type { Running } from '../harness/run.js';
import { type SshdHandle } from '../harness/sshd.js';
import { type TempDir } from '../harness/temp-dir.js';
import { waitFor } from '../harness/wait-for.js';
import { closed, echoVia, exchange, openSocket, socks4Connect, socks5Connect, startEcho, type EchoServer } from '../harness/forward-tools.js';
import { clientArgs } from '../harness/ssh-client.js';
import { runStayssh, singleErrorLine, startStayssh } from '../harness/stayssh-cli.js';

/** Wait for a forward to work after start or a reset, ms: login + re-dial on a loaded box. */
const FORWARD_READY_MS = 20_000;

describe('forwards survive the link (-N)', () => {
  let sshd: SshdHandle;
  let proxy: FaultProxy;
  let echo: EchoServer;
  let tmp: TempDir;
  let env: NodeJS.ProcessEnv;
  let knownHosts: string;
  let fx: ProxiedSshd;
  const running: Running[] = [];
  let runs = 0;

  before(async () => {
    fx = await startProxiedSshd('fwd');
    ({ sshd, proxy, tmp, env, knownHosts } = fx);
    echo = await startEcho();
  });
  after(async () => {
    for (const r of running) r.kill();
    await Promise.all(running.map((r) => r.exited));
    await echo?.close();
    await fx?.close();
  });

  /** stayssh -N with `forwards`, through the proxy, short liveness and backoff; its events file. */
  function startForwards(forwards: string[]): { proc: Running; events: string } {
    const events = tmp.join(`events-${++runs}.jsonl`);
    const args = clientArgs(sshd, {
      port: proxy.port,
      knownHostsFile: knownHosts,
      options: { ServerAliveInterval: '1', ServerAliveCountMax: '2' },
      extra: ['-N', '--backoff-max', '1s', '--events', events, ...forwards],
    });
    const proc = startStayssh(args, { env });
    running.push(proc);
    return { proc, events };
  }

  function eventCount(file: string, name: string): number {
    try {
      return readFileSync(file, 'utf8').split('\n').filter((l) => l.includes(`"event":"${name}"`)).length;
    } catch {
      return 0;
    }
  }

  async function waitForEcho(port: number, what: string, proc: Running): Promise<void> {
    await waitFor(async () => (await echoVia(port, `hello ${what}`)) === `hello ${what}`, {
      what,
      timeoutMs: FORWARD_READY_MS,
      detail: () => `stayssh stderr:\n${proc.stderr()}`,
    });
  }

  test('-L carries data, survives resets, and a connection made during an outage completes', async () => {
    const port = await freePort();
    const { proc, events } = startForwards(['-L', `${port}:127.0.0.1:${echo.port}`]);
    await waitForEcho(port, 'first link', proc);

    // A connection open when the link is reset is closed at our end too, not left hanging.
    const open = await openSocket(port);
    assert.equal(await exchange(open, 'before reset'), 'before reset');
    const openClosed = closed(open);
    proxy.reset();
    await openClosed;
    await waitForEcho(port, 'after a reset', proc);

    // Outage: the server cannot be reached; a new connection waits instead of failing.
    const reconnectedBefore = eventCount(events, 'reconnected');
    await proxy.refuse();
    proxy.reset();
    await waitFor(() => eventCount(events, 'reconnecting') > reconnectedBefore, { what: 'stayssh to notice the outage and re-dial' });
    const during = await openSocket(port);
    const reply = exchange(during, 'made during the outage', 30_000);
    await proxy.restore();
    assert.equal(await reply, 'made during the outage');
    during.destroy();
    assert.equal(proc.child.exitCode, null, 'stayssh is still the same process');
  });

  test('-R carries data and is requested again after a reset', async () => {
    const port = await freePort();
    const { proc } = startForwards(['-R', `${port}:127.0.0.1:${echo.port}`]);
    // sshd listens on the server side (this machine): connect to it as a remote program would.
    await waitForEcho(port, 'remote forward', proc);
    for (let cut = 1; cut <= 2; cut++) {
      proxy.reset();
      await waitForEcho(port, `remote forward after reset #${cut}`, proc);
    }
    // And from a real remote program, as the login user.
    const remote = await sshd.runAsUser(`exec bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port}; printf remote-side >&3; head -c 11 <&3'`);
    assert.equal(remote.stdout, 'remote-side', remote.stderr);
  });

  test('-D speaks SOCKS5 and SOCKS4 CONNECT, before and after a reset', async () => {
    const port = await freePort();
    const { proc } = startForwards(['-D', String(port)]);
    await waitFor(async () => {
      const s = await socks5Connect(port, '127.0.0.1', echo.port);
      try {
        return (await exchange(s, 'socks5')) === 'socks5';
      } finally {
        s.destroy();
      }
    }, { what: 'SOCKS5 through -D', timeoutMs: FORWARD_READY_MS, detail: () => proc.stderr() });
    const v4 = await socks4Connect(port, '127.0.0.1', echo.port);
    assert.equal(await exchange(v4, 'socks4'), 'socks4');
    const v4Closed = closed(v4);
    proxy.reset();
    await v4Closed;
    // SOCKS4a (a name resolved by the server), after the reset: waits for the new link.
    const v4a = await socks4Connect(port, 'localhost', echo.port);
    assert.equal(await exchange(v4a, 'socks4a after reset'), 'socks4a after reset');
    v4a.destroy();
    const v5 = await socks5Connect(port, 'localhost', echo.port);
    assert.equal(await exchange(v5, 'socks5 after reset'), 'socks5 after reset');
    v5.destroy();
  });

  test('ExitOnForwardFailure: a local port that cannot be bound ends the run (255, one line)', async () => {
    const busy: Server = createServer();
    busy.listen(0, '127.0.0.1');
    await once(busy, 'listening');
    const port = (busy.address() as { port: number }).port;
    try {
      const args = clientArgs(sshd, { port: proxy.port, knownHostsFile: knownHosts, options: { ExitOnForwardFailure: 'yes' }, extra: ['-N', '-L', `127.0.0.1:${port}:127.0.0.1:${echo.port}`] });
      const r = await runStayssh(args, { env });
      assert.equal(r.code, 255);
      assert.match(singleErrorLine(r.stderr), /stayssh: cannot listen on 127\.0\.0\.1:\d+: address already in use/);
    } finally {
      busy.close();
    }
  });

  test('ExitOnForwardFailure: a remote forward the server refuses ends the run (255, one line)', async () => {
    // Taken on every address, so sshd cannot bind it on the loopback of either family.
    const busy: Server = createServer();
    busy.listen({ port: 0, host: '::', ipv6Only: false });
    await once(busy, 'listening');
    const port = (busy.address() as { port: number }).port;
    try {
      const args = clientArgs(sshd, { port: proxy.port, knownHostsFile: knownHosts, options: { ExitOnForwardFailure: 'yes' }, extra: ['-N', '-R', `${port}:127.0.0.1:${echo.port}`] });
      const r = await runStayssh(args, { env });
      assert.equal(r.code, 255);
      assert.match(singleErrorLine(r.stderr), /remote port forwarding failed for listen port \d+/);
    } finally {
      busy.close();
    }
  });
});
