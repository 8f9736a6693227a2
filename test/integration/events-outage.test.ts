// Scripting (docs/BEHAVIOUR.md §5), issue 6's "done when": the hooks and the --events file record an
// outage (a fault-proxy reset), a bounded policy (--max-attempts 2, the port refusing)
// gives up with exit 255 and a `gave-up` event, and the key's passphrase typed at the
// prompt never appears in an event or a hook's environment.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { type SshdHandle } from '../harness/sshd.js';
import { startProxiedSshd, type ProxiedSshd } from '../harness/proxied-sshd.js';
import { type FaultProxy } from '../harness/fault-proxy.js';
import { type TempDir } from '../harness/temp-dir.js';
import { waitFor } from '../harness/wait-for.js';
import { clientArgs } from '../harness/ssh-client.js';
import { startStayssh } from '../harness/stayssh-cli.js';
import type { SessionEventName } from '../../src/contracts/events.js';
import { hookEnv, readEvents } from '../harness/events-file.js';

describe('events and hooks record what happened to the link', () => {
  let fx: ProxiedSshd;
  let sshd: SshdHandle;
  let proxy: FaultProxy;
  let tmp: TempDir;
  let env: Record<string, string>;
  let knownHosts: string;

  before(async () => {
    fx = await startProxiedSshd('events');
    ({ sshd, proxy, tmp, env, knownHosts } = fx);
  });
  after(() => fx?.close());

  test('an outage through a reset: hooks get the STAYSSH_* environment, the events file every step', async () => {
    const events = tmp.join('outage.jsonl');
    const name = `evt-${process.pid}`;
    const args = fx.clientArgs({
      identity: sshd.encryptedClientKeyPath,
      batchMode: false,
      extra: [
        '--session', name,
        '--events', events,
        '--on-disconnect', `env > ${tmp.join('disconnect.env')}`,
        '--on-reconnect', `env > ${tmp.join('reconnect.env')}`,
      ],
    });
    const term = await fx.openStayssh(args);
    await term.waitForText('Enter passphrase for key', { timeoutMs: 15_000 });
    await term.type(sshd.passphrase);
    await term.press('Enter');
    await term.waitForText(/\$\s*$/m, { timeoutMs: 15_000 });
    await term.type('echo before-$((1+1))');
    await term.press('Enter');
    await term.waitForText('before-2');

    proxy.reset();
    await waitFor(() => readEvents(events).some((e) => e.event === 'reconnected'), { timeoutMs: 15_000, what: 'a reconnected event', detail: () => readFileSync(events, 'utf8') });
    await term.type('echo after-$((2+2))');
    await term.press('Enter');
    await term.waitForText('after-4');

    const seen = readEvents(events);
    const names = seen.map((e) => e.event);
    const order: SessionEventName[] = ['connecting', 'connected', 'attached', 'disconnected', 'reconnecting', 'reconnected'];
    let from = 0;
    for (const want of order) {
      const at = names.indexOf(want, from);
      assert.ok(at >= 0, `${want} after ${order[order.indexOf(want) - 1] ?? 'the start'} in ${names.join(' ')}`);
      from = at + 1;
    }
    for (const e of seen) {
      assert.equal(e.host, '127.0.0.1');
      assert.equal(e.session, name);
      assert.ok(!Number.isNaN(Date.parse(e.ts)), `ts is ISO-8601: ${e.ts}`);
    }
    const reconnected = seen.find((e) => e.event === 'reconnected');
    assert.equal(typeof reconnected?.downtimeMs, 'number');
    assert.ok((reconnected?.downtimeMs ?? -1) >= 0);
    assert.ok(typeof seen.find((e) => e.event === 'disconnected')?.reason === 'string');

    await waitFor(() => existsSync(tmp.join('disconnect.env')) && existsSync(tmp.join('reconnect.env')), { what: 'both hooks to run' });
    // The hook writes its file while `env` runs: wait until the dump is complete.
    await waitFor(() => /STAYSSH_DOWNTIME_MS=/.test(readFileSync(tmp.join('reconnect.env'), 'utf8')), { what: 'the reconnect hook to finish' });
    const down = hookEnv(tmp.join('disconnect.env'));
    const back = hookEnv(tmp.join('reconnect.env'));
    assert.equal(down['STAYSSH_EVENT'], 'disconnected');
    assert.equal(back['STAYSSH_EVENT'], 'reconnected');
    for (const h of [down, back]) {
      assert.equal(h['STAYSSH_HOST'], '127.0.0.1');
      assert.equal(h['STAYSSH_PORT'], String(proxy.port));
      assert.equal(h['STAYSSH_USER'], sshd.user);
      assert.equal(h['STAYSSH_SESSION'], name);
      assert.match(h['STAYSSH_ATTEMPT'] ?? '', /^\d+$/);
      assert.match(h['STAYSSH_DOWNTIME_MS'] ?? '', /^\d+$/);
      assert.ok('STAYSSH_REASON' in h);
    }
    assert.ok(down['STAYSSH_REASON'], 'the disconnect hook is told why');
    assert.ok(Number(back['STAYSSH_ATTEMPT']) >= 1);

    for (const file of [events, tmp.join('disconnect.env'), tmp.join('reconnect.env')]) {
      assert.ok(!readFileSync(file, 'utf8').includes(sshd.passphrase), `the passphrase must not appear in ${file}`);
    }

    await term.type('exit 0');
    await term.press('Enter');
    assert.deepEqual(await term.waitForExit({ timeoutMs: 15_000 }), { code: 0, signal: null });
    const last = readEvents(events).at(-1);
    assert.equal(last?.event, 'exit');
    assert.equal(last?.code, 0);
  });

  test('--max-attempts 2 against a refusing port gives up: exit 255, a gave-up event, the give-up hook', async () => {
    const events = tmp.join('give-up.jsonl');
    const hookFile = tmp.join('give-up.env');
    const args = clientArgs(sshd, {
      port: proxy.port,
      knownHostsFile: knownHosts,
      extra: ['--max-attempts', '2', '--events', events, '--on-give-up', `env > ${hookFile}`],
    });
    const proc = startStayssh([...args, 'echo ready; sleep 60'], { env });
    try {
      await waitFor(() => proc.stdout().includes('ready'), { timeoutMs: 15_000, what: 'the command to start', detail: () => proc.stderr() });
      await proxy.refuse();
      proxy.reset();
      const result = await proc.exited;
      assert.equal(result.code, 255, result.stderr);
      assert.match(result.stderr, /gave up/);
      const seen = readEvents(events);
      const gaveUp = seen.find((e) => e.event === 'gave-up');
      assert.ok(gaveUp, `a gave-up event in ${seen.map((e) => e.event).join(' ')}`);
      assert.equal(gaveUp.attempt, 2);
      assert.equal(typeof gaveUp.downtimeMs, 'number');
      assert.deepEqual(seen.filter((e) => e.event === 'reconnecting').map((e) => e.attempt), [1, 2]);
      await waitFor(() => existsSync(hookFile) && /STAYSSH_EVENT=gave-up/.test(readFileSync(hookFile, 'utf8')), { what: 'the give-up hook' });
      assert.equal(hookEnv(hookFile)['STAYSSH_ATTEMPT'], '2');
    } finally {
      proc.kill();
      await proxy.restore();
    }
  });
});
