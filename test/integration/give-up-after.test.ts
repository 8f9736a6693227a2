// `--give-up-after DURATION` (SPEC §1, §5): once a session was up and the link dies for
// good, stayssh stops re-dialing after about that long, exits 255, writes a `gave-up`
// event and runs the give-up hook — from the command line for a command (stream mode),
// and from the config file (GiveUpAfter, OnGiveUp, Events) for an interactive session.
// (--max-attempts is covered by events-outage.test.ts.) Liveness is 1 s × 1 so the link
// is declared dead quickly; nothing here asserts on how long anything took.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type FaultProxy } from '../harness/fault-proxy.js';
import { isolatedClientEnv } from '../harness/ssh-client.js';
import { waitFor, withTimeout } from '../harness/wait-for.js';
import { startProxiedSshd, type ProxiedSshd } from '../harness/proxied-sshd.js';
import { startStayssh } from '../harness/stayssh-cli.js';
import { hookEnv, readEvents } from '../harness/events-file.js';

/** Fast dead-link detection: one unanswered second of silence. */
const FAST_LIVENESS = { ServerAliveInterval: '1', ServerAliveCountMax: '1' };
/**
 * How long (ms) a give-up may take at most before the test calls it missing: liveness
 * (~2 s) + the 2 s limit (a re-dial in flight is cut off then), with room for a loaded
 * machine. Without a limit stayssh would re-dial forever.
 */
const GIVE_UP_DEADLINE_MS = 25_000;
const PROMPT = /\$\s*$/m;

/** The STAYSSH_* variables of a hook's `env` dump, once the dump is complete. */
async function completeHookEnv(path: string): Promise<Record<string, string>> {
  // The hook writes while `env` runs: wait for the last variable we read.
  await waitFor(() => existsSync(path) && /STAYSSH_EVENT=/.test(readFileSync(path, 'utf8')) && /STAYSSH_DOWNTIME_MS=/.test(readFileSync(path, 'utf8')), { what: `the give-up hook to write ${path}` });
  return hookEnv(path);
}

describe('--give-up-after ends a session whose link stays dead', () => {
  let fx: ProxiedSshd;
  let proxy: FaultProxy;

  before(async () => {
    fx = await startProxiedSshd('giveup');
    ({ proxy } = fx);
  });
  after(() => fx?.close());

  test('a command: the link black-holed, stayssh gives up, exit 255, a gave-up event, the --on-give-up hook', async () => {
    const events = fx.tmp.join('stream.jsonl');
    const hookFile = fx.tmp.join('stream-give-up.env');
    const args = fx.clientArgs({
      options: FAST_LIVENESS,
      extra: ['--session', 'give-up-stream', '--give-up-after', '2s', '--events', events, '--on-give-up', `env > ${hookFile}`],
    });
    const proc = startStayssh([...args, 'echo ready; sleep 60'], { env: fx.env });
    try {
      await waitFor(() => proc.stdout().includes('ready'), { timeoutMs: 15_000, what: 'the command to start', detail: () => proc.stderr() });
      // Dead Wi-Fi: the link relays nothing and never closes, re-dials hang in the hole.
      proxy.blackhole();
      const result = await withTimeout(proc.exited, GIVE_UP_DEADLINE_MS, 'stayssh to give up');
      assert.equal(result.code, 255, result.stderr);
      assert.match(result.stderr, /gave up/);
      const seen = readEvents(events);
      const names = seen.map((e) => e.event);
      assert.ok(names.indexOf('disconnected') >= 0 && names.indexOf('disconnected') < names.indexOf('gave-up'), `disconnected, then gave-up, in ${names.join(' ')}`);
      const gaveUp = seen.find((e) => e.event === 'gave-up');
      assert.equal(typeof gaveUp?.downtimeMs, 'number');
      assert.equal(gaveUp?.session, 'give-up-stream');
      const hook = await completeHookEnv(hookFile);
      assert.equal(hook['STAYSSH_EVENT'], 'gave-up');
      assert.equal(hook['STAYSSH_SESSION'], 'give-up-stream');
    } finally {
      proc.kill();
      await proxy.restore();
    }
  });

  test('an interactive session with GiveUpAfter, OnGiveUp and Events from the config file', async () => {
    const env = isolatedClientEnv(fx.tmp.join('client-config')) as Record<string, string>;
    const events = fx.tmp.join('interactive.jsonl');
    const hookFile = fx.tmp.join('interactive-give-up.env');
    const config = `${env['XDG_CONFIG_HOME'] ?? ''}/stayssh/config`;
    mkdirSync(dirname(config), { recursive: true });
    writeFileSync(config, ['Host 127.0.0.1', '  GiveUpAfter 2s', `  OnGiveUp env > ${hookFile}`, `  Events ${events}`, ''].join('\n'));

    const term = await fx.openStayssh(fx.clientArgs({ options: FAST_LIVENESS, extra: ['--session', 'give-up-tty'] }), env);
    try {
      await term.waitForText(PROMPT, { timeoutMs: 15_000 });
      // The link goes silent and the port refuses new connections: re-dials fail at once,
      // so only the time limit can end this.
      proxy.blackhole();
      await proxy.refuse();
      const screen = await term.waitForText(/gave up/, { timeoutMs: GIVE_UP_DEADLINE_MS, join: true, scrollback: true });
      assert.match(screen, /resume with: stayssh --session give-up-tty/);
      assert.deepEqual(await term.waitForExit(), { code: 255, signal: null });
      const seen = readEvents(events);
      const reconnecting = seen.filter((e) => e.event === 'reconnecting');
      assert.ok(reconnecting.length >= 1, `re-dialed before giving up: ${seen.map((e) => e.event).join(' ')}`);
      assert.equal(seen.at(-1)?.event, 'gave-up', seen.map((e) => e.event).join(' '));
      const hook = await completeHookEnv(hookFile);
      assert.equal(hook['STAYSSH_EVENT'], 'gave-up');
      assert.equal(hook['STAYSSH_SESSION'], 'give-up-tty');
    } finally {
      await term.close();
      await proxy.restore();
    }
  });
});
