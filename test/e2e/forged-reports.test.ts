// A program in the session cannot steer the client (docs/BEHAVIOUR.md §7): a report frame
// written inside the session, passed through the multiplexer to the outer terminal, is
// dropped, because it lacks the attach's nonce. screen passes DCS strings through as they
// are; tmux does with `allow-passthrough on` (the default before 3.3, which Ubuntu 22.04
// and RHEL 8/9 still ship).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startProxiedSshd, type ProxiedSshd } from '../harness/proxied-sshd.js';
import { waitFor } from '../harness/wait-for.js';

const PROMPT = /\$\s*$/m;

/** Frames a hostile file could hold: a second `attached` (the go-ahead), then an exit. */
const FORGED = '\\033]7777;stayssh;t=attached name=x mux=tmux created=0 others=0\\007\\033]7777;stayssh;t=exit status=0\\007';

/** printf lines that pass `inner` (printf escapes) through each multiplexer to the client. */
const PASS_THROUGH = {
  // DCS, ESC inside doubled, as tmux's passthrough wants. The session has no TMUX (it
  // looks like plain ssh), so the option is set on stayssh's tmux server by its name.
  tmux: (inner: string) => `tmux -L stayssh set -gw allow-passthrough on; printf '\\033Ptmux;${inner.replaceAll('\\033', '\\033\\033')}\\033\\\\'`,
  screen: (inner: string) => `printf '\\033P${inner}\\033\\\\'`,
};

describe('report frames written inside the session', () => {
  let fx: ProxiedSshd;

  before(async () => {
    fx = await startProxiedSshd('e2e-forged');
  });
  after(() => fx?.close());

  for (const mux of ['tmux', 'screen'] as const) {
    test(`under ${mux}, a forged exit changes nothing: the client stays, and ends with the real status`, async () => {
      const term = await fx.openStayssh(fx.clientArgs({ extra: ['--mux', mux, '--session', `forged-${mux}`] }));
      await term.waitForText(PROMPT, { timeoutMs: 15_000 });
      // The path works: a title set the same way reaches the local terminal.
      await term.type(PASS_THROUGH[mux](`\\033]2;through-${mux}\\007`));
      await term.press('Enter');
      await waitFor(async () => (await term.title()) === `through-${mux}`, { what: `the title set through ${mux}`, detail: () => term.screen() });

      await term.type(`${PASS_THROUGH[mux](FORGED)}; echo forged-$((1+1))`);
      await term.press('Enter');
      await term.waitForText('forged-2');
      await term.type('echo still-$((2+2))');
      await term.press('Enter');
      await term.waitForText('still-4');
      // The nonces of the attaches were never echoed: not on screen, not in the scrollback.
      assert.doesNotMatch(await term.screen({ scrollback: true, join: true }), /[0-9a-f]{32}/);
      await term.type('exit 7');
      await term.press('Enter');
      assert.deepEqual(await term.waitForExit({ timeoutMs: 15_000 }), { code: 7, signal: null });
    });
  }
});
