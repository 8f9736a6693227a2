// End to end, as a person sees it: stayssh in a real terminal (a tmux pane), a real sshd
// behind a fault proxy that resets and black-holes the link. Issue 3's "done when".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startProxiedSshd, type ProxiedSshd } from '../harness/proxied-sshd.js';
import { type FaultProxy } from '../harness/fault-proxy.js';
import type { Terminal } from '../harness/terminal.js';

/** A shell loop that prints a growing counter every 100 ms: the screen "moving". */
const TICKER = 'i=0; while :; do i=$((i+1)); echo tick-$i; sleep 0.1; done';

function lastTick(screen: string): number {
  const ticks = [...screen.matchAll(/tick-(\d+)/g)].map((m) => Number(m[1]));
  return ticks.length ? Math.max(...ticks) : 0;
}

describe('an interactive session survives the link', () => {
  let fx: ProxiedSshd;
  let proxy: FaultProxy;

  before(async () => {
    fx = await startProxiedSshd('e2e');
    ({ proxy } = fx);
  });
  after(() => fx?.close());

  function openSession(extra: string[] = []): Promise<Terminal> {
    // Short liveness so a black hole is noticed in ~2-3 s instead of 10 s.
    return fx.openStayssh(fx.clientArgs({ options: { ServerAliveInterval: '1', ServerAliveCountMax: '2' }, extra }));
  }

  async function waitForTicksAfter(term: Terminal, seen: number, what: string): Promise<number> {
    const screen = await term.waitForText(new RegExp(`tick-(${seen + 3}|${seen + 4}|${seen + 5}|[0-9]{${String(seen + 6).length + 1},})`), { timeoutMs: 15_000 }).catch(async (err: Error) => {
      throw new Error(`${what}: the screen did not move past tick-${seen}\n${err.message}`);
    });
    return lastTick(screen);
  }

  test('a ticking program keeps running through resets and a black hole; exit 7 is the exit status', async () => {
    const term = await openSession();
    await term.waitForText(/\$\s*$/m, { timeoutMs: 15_000 });
    await term.type(TICKER);
    await term.press('Enter');
    let seen = lastTick(await term.waitForText('tick-5'));

    for (let cut = 1; cut <= 3; cut++) {
      proxy.reset();
      seen = await waitForTicksAfter(term, seen, `after reset #${cut}`);
    }

    proxy.blackhole();
    // The outage shows on the status line while it lasts, with the time since last contact.
    await term.waitForText(/link .*lost|no reply|since|attempt/i, { timeoutMs: 15_000 });
    const during = await term.waitForText(/[5-9]s ago|1\ds ago/, { timeoutMs: 15_000 });
    assert.match(during, /~\. to leave/);
    const frozenAt = lastTick(during);
    await proxy.restore();
    seen = await waitForTicksAfter(term, frozenAt, 'after the black hole');
    const after = await term.screen();
    assert.doesNotMatch(after, /to leave/, 'the status line is gone once reattached');
    assert.ok(seen > frozenAt);

    await term.press('C-c');
    await term.type('exit 7');
    await term.press('Enter');
    assert.deepEqual(await term.waitForExit({ timeoutMs: 15_000 }), { code: 7, signal: null });
  });

  test('a brief stall: keys typed while the link is in doubt arrive when it answers, and the screen is whole again', async () => {
    const events = fx.tmp.join('stall-events.jsonl');
    // Declared dead only after 30 silent seconds: this stall ends in doubt, not a re-dial.
    const term = await fx.openStayssh(fx.clientArgs({ options: { ServerAliveInterval: '1', ServerAliveCountMax: '30' }, extra: ['--events', events] }));
    await term.waitForText(/\$\s*$/m, { timeoutMs: 15_000 });
    // A mark on the last row, where the status line is drawn; the prompt goes back to the top.
    // (Typed as `%s-%s`, so the command line itself never matches the mark.)
    await term.type(`clear; printf '\\033[999;1H%s-%s\\033[H' bottom mark`);
    await term.press('Enter');
    await term.waitForText(/^(?![\s\S]*printf)[\s\S]*bottom-mark/);

    proxy.stall();
    await term.waitForText(/no reply for/, { timeoutMs: 15_000 });
    await term.type('echo stalled-$((20+22))');
    await term.press('Enter');
    proxy.unstall();

    // The keys went out once the link answered, and the status line's row is repainted.
    await term.waitForText(/stalled-42/, { timeoutMs: 15_000 });
    await term.waitForText(/^(?![\s\S]*no reply)[\s\S]*bottom-mark/, { timeoutMs: 15_000 });
    await term.type('exit 0');
    await term.press('Enter');
    assert.deepEqual(await term.waitForExit({ timeoutMs: 15_000 }), { code: 0, signal: null });
    // The same link all along: no re-dial.
    const names = readFileSync(events, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { event: string }).event);
    assert.ok(!names.includes('reconnecting'), `events: ${names.join(' ')}`);
  });

  test('a client killed with its terminal is resumed by name with the earlier screen', async () => {
    const first = await openSession(['--session', 'resume-me']);
    await first.waitForText(/\$\s*$/m, { timeoutMs: 15_000 });
    await first.type('echo marker-$((40+2))');
    await first.press('Enter');
    await first.waitForText('marker-42');
    await first.kill();

    const second = await openSession(['--session', 'resume-me']);
    const screen = await second.waitForText('marker-42', { timeoutMs: 15_000 });
    assert.match(screen, /echo marker-\$\(\(40\+2\)\)/);
    await second.type('exit 0');
    await second.press('Enter');
    assert.deepEqual(await second.waitForExit({ timeoutMs: 15_000 }), { code: 0, signal: null });
    // As after plain ssh, the session's last screen stays on the terminal when it ends.
    assert.match(await second.screen(), /marker-42/);
  });
});
