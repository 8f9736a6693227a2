// docs/BEHAVIOUR.md §2: When a new interactive session starts while detached ones exist for this user
// on the host, one line says how many and how to list them, so forgotten sessions do not
// pile up unseen. As a person meets it: two sessions left with `~.` (one under tmux, one
// under screen: both count), then a third one starts and says so; following the line's
// advice lists the two.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startProxiedSshd, type ProxiedSshd } from '../harness/proxied-sshd.js';
import type { Terminal } from '../harness/terminal.js';
import { runPrintedCommand } from '../harness/stayssh-cli.js';

const PROMPT = /\$\s*$/m;
/** Wait for the remote prompt (ms): a login plus a multiplexer start on a loaded 2-core box. */
const PROMPT_TIMEOUT_MS = 15_000;
/** The notice, as src/session/interactive.ts words it; group 1 is the count, 2 the advice. */
const NOTICE = /stayssh: (\d+) other detached session\(s\) on this host: (stayssh --list [^\n]+)/;

describe('a new session mentions the detached ones', () => {
  let fx: ProxiedSshd;

  before(async () => {
    fx = await startProxiedSshd('e2e-notice');
  });
  after(() => fx?.close());

  /** Opens a session and waits for its prompt; returns the terminal and everything it printed. */
  async function open(extra: string[]): Promise<{ term: Terminal; printed: string }> {
    const term = await fx.openStayssh(fx.clientArgs({ extra }));
    await term.waitForText(PROMPT, { timeoutMs: PROMPT_TIMEOUT_MS });
    // The notice comes before the multiplexer takes the screen: look in the scrollback too.
    return { term, printed: await term.screen({ join: true, scrollback: true }) };
  }

  async function detach(term: Terminal, name: string): Promise<void> {
    await term.press('Enter');
    await term.type('~.');
    await term.waitForText(`resume with: stayssh --session ${name}`, { join: true, scrollback: true });
    assert.deepEqual(await term.waitForExit(), { code: 255, signal: null });
  }

  test('two detached sessions: the third one says "2" and how to list them', async () => {
    const first = await open(['--session', 'left-tmux', '--mux', 'tmux']);
    assert.doesNotMatch(first.printed, NOTICE, 'nothing detached yet: no notice');
    await detach(first.term, 'left-tmux');

    const second = await open(['--session', 'left-screen', '--mux', 'screen']);
    assert.match(second.printed, NOTICE);
    assert.equal(NOTICE.exec(second.printed)?.[1], '1');
    await detach(second.term, 'left-screen');

    const third = await open(['--session', 'new-one']);
    const notice = NOTICE.exec(third.printed);
    assert.ok(notice, `the notice on the terminal:\n${third.printed}`);
    assert.equal(notice[1], '2');
    assert.equal(third.printed.match(new RegExp(NOTICE.source, 'g'))?.length, 1, 'one line');

    // The advice works as printed (the user's own options, user@host included): it lists
    // the two detached sessions.
    const advice = (notice[2] ?? '').trim();
    const list = await runPrintedCommand(`${advice} --json`, { env: fx.env });
    assert.equal(list.code, 0, `${advice}: ${list.stderr}`);
    const states = (JSON.parse(list.stdout) as Array<{ name: string; state: string }>).map((s) => `${s.name}:${s.state}`).sort();
    assert.deepEqual(states, ['left-screen:detached', 'left-tmux:detached', 'new-one:attached']);

    await third.term.type('exit 0');
    await third.term.press('Enter');
    assert.deepEqual(await third.term.waitForExit(), { code: 0, signal: null });
  });
});
