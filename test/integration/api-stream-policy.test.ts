// The library API (docs/BEHAVIOUR.md §5) against a real sshd behind the fault proxy: a stream command
// with a policy written as code (counting attempts, then giving up), typed events, and a
// reconnect that carries stdin and the exit status through.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { connect, ConnectError, type ConnectOptions, type PolicyContext, type SessionEvent } from '../../src/api.js';
import { startSshd, type SshdHandle } from '../harness/sshd.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';
import { waitFor } from '../harness/wait-for.js';

/** A Writable that keeps what it was given, for asserting on a command's output. */
function collector(): PassThrough & { text(): string } {
  const s = new PassThrough();
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString()));
  return Object.assign(s, { text: () => text });
}

describe('connect() from the library', () => {
  let sshd: SshdHandle;
  let proxy: FaultProxy;
  let tmp: TempDir;
  let knownHosts: string;

  before(async () => {
    sshd = await startSshd();
    proxy = await startFaultProxy({ port: sshd.port });
    tmp = makeTempDir('api');
    knownHosts = tmp.join('known_hosts');
    writeFileSync(knownHosts, `${sshd.knownHostsLine('127.0.0.1', proxy.port)}\n`);
  });
  after(async () => {
    await proxy?.close();
    await sshd?.close();
    tmp?.close();
  });

  function base(): ConnectOptions {
    return {
      host: '127.0.0.1',
      port: proxy.port,
      user: sshd.user,
      identity: sshd.clientKeyPath,
      knownHosts,
      strictHostKeyChecking: 'yes',
      configFile: null,
      sshOptions: { IdentitiesOnly: 'yes', GlobalKnownHostsFile: '/dev/null', IdentityAgent: 'none' },
    };
  }

  test('a policy function counts attempts and gives up: exited is 255, a gave-up event arrives', async () => {
    const asked: PolicyContext[] = [];
    const out = collector();
    const session = connect({
      ...base(),
      command: 'echo ready; sleep 60',
      stdout: out,
      stderr: collector(),
      policy: (ctx) => {
        asked.push(ctx);
        return ctx.attempt > 3 ? 'give-up' : 20;
      },
    });
    const events: SessionEvent[] = [];
    session.on('event', (e) => events.push(e));
    let gaveUp: SessionEvent | undefined;
    session.on('gave-up', (e) => (gaveUp = e));
    try {
      await waitFor(() => out.text().includes('ready'), { timeoutMs: 15_000, what: 'the command to start' });
      await proxy.refuse();
      proxy.reset();
      assert.equal(await session.exited, 255);
    } finally {
      await proxy.restore();
    }
    assert.deepEqual(asked.map((c) => c.attempt), [1, 2, 3, 4]);
    assert.ok(asked.every((c, i) => i === 0 || c.downtimeMs >= (asked[i - 1]?.downtimeMs ?? 0)), 'downtime only grows');
    assert.ok(asked.slice(1).every((c) => /refused/i.test(c.reason)), asked.map((c) => c.reason).join(' | '));
    assert.equal(gaveUp?.attempt, 3);
    assert.equal(gaveUp?.session, session.name);
    assert.deepEqual(
      events.map((e) => e.event),
      ['connecting', 'connected', 'attached', 'disconnected', 'reconnecting', 'reconnecting', 'reconnecting', 'gave-up'],
    );
  });

  test('a reset is survived: reconnected with downtime, stdin and the exit status carried through', async () => {
    const out = collector();
    const stdin = new PassThrough();
    const session = connect({ ...base(), command: 'echo ready; read x; echo got-$x; exit 3', stdin, stdout: out, stderr: collector(), policy: () => 0 });
    const reconnected = new Promise<SessionEvent>((resolve) => session.once('reconnected', resolve));
    await waitFor(() => out.text().includes('ready'), { timeoutMs: 15_000, what: 'the command to start' });
    proxy.reset();
    const e = await reconnected;
    assert.equal(typeof e.downtimeMs, 'number');
    stdin.end('hello\n');
    assert.equal(await session.exited, 3);
    assert.equal(out.text(), 'ready\ngot-hello\n');
  });

  test('a first connection that fails rejects exited with a ConnectError', async () => {
    const session = connect({ ...base(), strictHostKeyChecking: 'yes', knownHosts: tmp.join('empty_known_hosts'), command: 'true', stdout: collector() });
    await assert.rejects(session.exited, (err: Error) => err instanceof ConnectError && /host key/i.test(err.message));
  });
});
