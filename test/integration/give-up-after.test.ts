// `--give-up-after DURATION` (docs/BEHAVIOUR.md §1, §5): once a session was up and the link dies for
// good, stayssh stops re-dialing after about that long, exits 255, writes a `gave-up`
// event and runs the give-up hook — from the command line for a command (stream mode),
// and from the config file (GiveUpAfter, OnGiveUp, Events) for an interactive session.
// A `-N` tunnel gives up on time too: the re-dial stuck in the black hole is cut off at
// the limit instead of running into its connect timeout (the one timed assertion here).
// (--max-attempts is covered by events-outage.test.ts.) Liveness is 1 s × 1 so the link
// is declared dead quickly.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type FaultProxy } from '../harness/fault-proxy.js';
import { freePort } from '../harness/free-port.js';
import { isolatedClientEnv } from '../harness/ssh-client.js';
import { waitFor, withTimeout } from '../harness/wait-for.js';
import { startProxiedSshd, type ProxiedSshd } from '../harness/proxied-sshd.js';
import { startStayssh } from '../harness/stayssh-cli.js';
import { hookEnv, readEvents } from '../harness/events-file.js';
import { echoVia, startEcho } from '../harness/forward-tools.js';

/** Fast dead-link detection: one unanswered second of silence. */
const FAST_LIVENESS = { ServerAliveInterval: '1', ServerAliveCountMax: '1' };
/**
 * How long (ms) a give-up may take at most before the test calls it missing: liveness
 * (~2 s) + the 2 s limit (a re-dial in flight is cut off then), with room for a loaded
 * machine. Without a limit stayssh would re-dial forever.
 */
const GIVE_UP_DEADLINE_MS = 25_000;
const PROMPT = /\$\s*$/m;
/**
 * "On time", ms: from the link declared dead to giving up, 2 s are due; a re-dial left to
 * run into its connect timeout (5 s for a re-dial) would take 5 s or more.
 */
const TUNNEL_GIVE_UP_WITHIN_MS = 4_000;

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

  test('a -N tunnel: black-holed, it gives up on time (2 s after the link is declared dead), exit 255', async () => {
    const echo = await startEcho();
    const events = fx.tmp.join('tunnel.jsonl');
    const port = await freePort();
    const args = fx.clientArgs({
      options: FAST_LIVENESS,
      extra: ['-N', '-L', `${port}:127.0.0.1:${echo.port}`, '--give-up-after', '2s', '--events', events],
    });
    const proc = startStayssh(args, { env: fx.env });
    try {
      await waitFor(async () => (await echoVia(port, 'up')) === 'up', { timeoutMs: 15_000, what: 'the tunnel to carry data', detail: () => proc.stderr() });
      proxy.blackhole();
      const result = await withTimeout(proc.exited, GIVE_UP_DEADLINE_MS, 'stayssh -N to give up');
      assert.equal(result.code, 255, result.stderr);
      assert.match(result.stderr, /gave up/);
      const seen = readEvents(events);
      const names = seen.map((e) => e.event);
      // One re-dial, into the black hole, cut off by the limit.
      assert.deepEqual(names, ['connecting', 'connected', 'attached', 'disconnected', 'reconnecting', 'gave-up']);
      const disconnectedAt = Date.parse(seen.at(-3)?.ts ?? '');
      const gaveUp = seen.at(-1);
      const tookMs = Date.parse(gaveUp?.ts ?? '') - disconnectedAt;
      assert.ok(tookMs < TUNNEL_GIVE_UP_WITHIN_MS, `gave up ${tookMs} ms after the link was declared dead`);
      assert.ok((gaveUp?.downtimeMs ?? 0) >= 2_000, `waited the whole 2 s: downtimeMs ${gaveUp?.downtimeMs}`);
    } finally {
      proc.kill();
      await echo.close();
      await proxy.restore();
    }
  });
});
