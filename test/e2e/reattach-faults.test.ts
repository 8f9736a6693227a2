// A reattach survives a reset at each of its steps (issue 18: the attach is pipelined,
// pty and exec requests in one flight, the nonce and the go-ahead behind them): the
// re-dial link is cut during key exchange, during authentication, just after the attach
// request reached the server, and with the server's answer to it lost. Each time the
// next dial gets through, the shell is back, and typing works.
import { after, before, describe, test } from 'node:test';
import { startProxiedSshd, type ProxiedSshd } from '../harness/proxied-sshd.js';
import { cutFirstLoginAt, type LoginStep } from '../harness/ssh-login-steps.js';
import type { Terminal } from '../harness/terminal.js';
import { waitFor } from '../harness/wait-for.js';

const PROMPT = /\$\s*$/m;
/** A reattach after a cut: two dials and a redraw on a loaded 2-core box, ms. */
const BACK_TIMEOUT_MS = 30_000;

describe('a reattach cut at each step comes back', () => {
  let fx: ProxiedSshd;
  let term: Terminal;

  before(async () => {
    fx = await startProxiedSshd('e2e-reattach-faults');
    term = await fx.openStayssh(fx.clientArgs({ options: { ServerAliveInterval: '1', ServerAliveCountMax: '2' }, extra: ['--session', 'cut-steps'] }));
    await term.waitForText(PROMPT, { timeoutMs: 15_000 });
  });
  after(() => fx?.close());

  let round = 0;
  for (const step of ['key-exchange', 'authentication', 'command-sent', 'command-answered'] as LoginStep[]) {
    test(`cut at ${step}`, async () => {
      const mark = `back-${++round}`;
      const cut = cutFirstLoginAt(fx.proxy, step);
      try {
        fx.proxy.reset();
        await waitFor(() => cut.done, { what: `the re-dial cut at ${step}`, timeoutMs: BACK_TIMEOUT_MS });
        await term.waitForText(/^(?![\s\S]*to leave)[\s\S]*\$\s*$/m, { timeoutMs: BACK_TIMEOUT_MS });
        await term.type(`clear; echo ${mark}-$((40+2))`);
        await term.press('Enter');
        await term.waitForText(`${mark}-42`, { timeoutMs: BACK_TIMEOUT_MS });
      } finally {
        cut.stop();
      }
    });
  }
});
