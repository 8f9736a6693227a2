// docs/BEHAVIOUR.md §2 "it must look like plain ssh": the local TERM, LANG/LC_* and window size reach the
// session, a resize is followed at once (and the size of the moment is sent on reattach),
// TMUX does not leak into the user's shell. Checked from inside the remote session, as a
// person at a real terminal (a tmux pane) would see it.
//
// TERM: what ssh carries is the terminal type of the pty the server opens, and that pty is
// where the multiplexer's client runs; so the local TERM is what tmux or screen draws for,
// while the shell inside sees a TERM describing the multiplexer (256 colours), as in any
// tmux or screen session.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { connect } from '../../src/api.js';
import type { TerminalPort } from '../../src/contracts/terminal-port.js';
import { startProxiedSshd, type ProxiedSshd } from '../harness/proxied-sshd.js';
import { startTerminal, type Terminal } from '../harness/terminal.js';
import { waitFor } from '../harness/wait-for.js';
import { staysshCommandLine } from '../harness/stayssh-cli.js';

const PROMPT = /\$\s*$/m;
/** Login through sshd + tmux start on a loaded 2-core box (ms). */
const LOGIN_TIMEOUT_MS = 15_000;
/** From a resize or a restored link to the new size inside the session (ms): generous, not a budget. */
const FOLLOW_TIMEOUT_MS = 10_000;

/**
 * A program in the session that prints `size=ROWS COLS` whenever its terminal's size
 * changes (it polls every 100 ms): the test waits for a line, never for time. The typed
 * line itself never reads `size=<digits>`.
 */
const SIZE_WATCHER = 'o=; while :; do s=$(stty size); [ "$s" = "$o" ] || echo "size=$s"; o=$s; sleep 0.1; done';
const sizeLine = (cols: number, rows: number): RegExp => new RegExp(`^size=${rows} ${cols}$`, 'm');

describe('the terminal reaches the session as with plain ssh', () => {
  let fx: ProxiedSshd;

  // AcceptEnv none: locale must arrive whether or not the server takes SendEnv/env requests.
  before(async () => {
    fx = await startProxiedSshd('e2e-term', { acceptEnv: [] });
  });
  after(() => fx?.close());

  /** stayssh in a new terminal of `cols` x `rows`, with `TERM` as the local terminal type. */
  async function openSession(o: { term: string; cols?: number; rows?: number; extra?: string[]; env?: Record<string, string> }): Promise<Terminal> {
    // Short liveness, so that a reset is noticed at once and a re-dial is quick.
    const args = fx.clientArgs({ options: { ServerAliveInterval: '1', ServerAliveCountMax: '2' }, extra: o.extra });
    // The pane's TERM is the harness's own; `env` gives stayssh the one under test.
    const term = await startTerminal({
      command: ['env', `TERM=${o.term}`, ...staysshCommandLine(args)],
      env: { ...fx.env, ...o.env },
      cols: o.cols,
      rows: o.rows,
    });
    fx.terminals.push(term);
    await term.waitForText(PROMPT, { timeoutMs: LOGIN_TIMEOUT_MS });
    return term;
  }

  async function leave(term: Terminal): Promise<void> {
    await term.type('exit 0');
    await term.press('Enter');
    assert.deepEqual(await term.waitForExit({ timeoutMs: LOGIN_TIMEOUT_MS }), { code: 0, signal: null });
  }

  // What shows that the local TERM arrived: tmux names the terminal it draws for (its
  // client); screen names the TERM inside after it (screen.xterm-256color). The local TERM
  // differs per multiplexer so that neither expectation is also a default of stayssh's.
  const termCases = [
    { mux: 'tmux', localTerm: 'screen-256color', probe: `tmux -L stayssh list-clients -t =env-tmux -F 'term=#{client_termname}'`, expect: 'screen-256color' },
    { mux: 'screen', localTerm: 'xterm-256color', probe: 'echo "term=$TERM"', expect: 'screen.xterm-256color' },
  ] as const;
  for (const c of termCases) {
    test(`${c.mux}: TERM, LANG/LC_*, COLORTERM and the window size arrive; TMUX does not leak`, async () => {
      const term = await openSession({
        term: c.localTerm,
        cols: 91,
        rows: 27,
        extra: ['--mux', c.mux, '--session', `env-${c.mux}`],
        env: { LANG: 'C.UTF-8', LC_NUMERIC: 'POSIX', COLORTERM: 'truecolor' },
      });
      // \303\251 is é: the multiplexer prints it as é only when its client runs in the
      // carried UTF-8 locale (else `_` or `?`).
      await term.type(
        `printf '%s\\n' "size=$(stty size)" "mux=[\${TMUX-unset}][\${TMUX_PANE-unset}][\${STY-unset}]" "colors=$(tput colors)" "lc=$LANG/$LC_NUMERIC/$COLORTERM"; ` +
          `printf 'utf8=caf\\303\\251\\n'; ${c.probe}; echo "end=$((6*7))"`,
      );
      await term.press('Enter');
      const screen = await term.waitForText(/^end=42$/m);
      assert.match(screen, /^size=27 91$/m, 'the local window size at start');
      assert.match(screen, /^mux=\[unset\]\[unset\]\[unset\]$/m, 'TMUX (and STY) do not leak into the shell');
      assert.match(screen, /^colors=256$/m, 'programs in the session see a 256-colour terminal');
      assert.match(screen, /^lc=C\.UTF-8\/POSIX\/truecolor$/m, 'LANG, LC_* and COLORTERM carried without AcceptEnv');
      assert.match(screen, /^utf8=café$/m, 'UTF-8 output is shown as UTF-8');
      assert.match(screen, new RegExp(`^term=${c.expect.replace(/\./g, '\\.')}$`, 'm'), 'the local TERM reached the multiplexer');
      await leave(term);
    });
  }

  test('a local TERM the server has no terminfo for still gets a working session', async () => {
    // tmux refuses to attach to a terminal it cannot describe ("missing or unsuitable terminal").
    const term = await openSession({ term: 'stayssh-no-such-term' });
    await term.type('echo "alive-$((6*7)) colors=$(tput colors)"');
    await term.press('Enter');
    await term.waitForText(/^alive-42 colors=256$/m);
    await leave(term);
  });

  for (const mux of ['tmux', 'screen'] as const) {
  test(`${mux}: a resize is followed at once, also one made while the link is down, and after the reattach`, async () => {
    const term = await openSession({ term: 'xterm-256color', cols: 100, rows: 30, extra: ['--mux', mux] });
    await term.type(SIZE_WATCHER);
    await term.press('Enter');
    await term.waitForText(sizeLine(100, 30));

    await term.resize(77, 22);
    await term.waitForText(sizeLine(77, 22), { timeoutMs: FOLLOW_TIMEOUT_MS });

    // Down, and kept down (refused) while the window changes: no channel to tell it to.
    await fx.proxy.refuse();
    fx.proxy.reset();
    await term.waitForText(/to leave/, { timeoutMs: FOLLOW_TIMEOUT_MS });
    await term.resize(40, 20);
    // The status line at the new width (its terse form, no `stayssh:` prefix, fits 40
    // columns): stayssh has taken the new size in before the link comes back.
    await term.waitForText(/^lost \d+s · .*~\. to leave/m, { timeoutMs: FOLLOW_TIMEOUT_MS });
    await fx.proxy.restore();
    await term.waitForText(sizeLine(40, 20), { timeoutMs: FOLLOW_TIMEOUT_MS });

    // And on the new link, a resize is followed again.
    await term.resize(90, 25);
    await term.waitForText(sizeLine(90, 25), { timeoutMs: FOLLOW_TIMEOUT_MS });
    await term.press('C-c');
    await term.waitForText(PROMPT);
    await leave(term);
  });
  }

  test('a resize while the session is being attached is not lost (library, terminal of our own)', async () => {
    const fake = new FakeTerminal({ cols: 100, rows: 30 });
    // The first size read is the one the attach asks the pty for; the window changes right
    // after it, while the channel is still being opened.
    fake.resizeAfterNextRead({ cols: 120, rows: 44 });
    const session = connect({
      host: '127.0.0.1',
      port: fx.proxy.port,
      user: fx.sshd.user,
      identity: fx.sshd.clientKeyPath,
      knownHosts: fx.knownHosts,
      strictHostKeyChecking: 'yes',
      configFile: null,
      sshOptions: { IdentitiesOnly: 'yes', GlobalKnownHostsFile: '/dev/null', IdentityAgent: 'none', BatchMode: 'yes' },
      watchNetwork: false,
      terminal: fake,
      term: 'xterm-256color',
      env: { LANG: 'C.UTF-8' },
      // A failed assertion must not leave it re-dialing forever once the server is gone.
      maxAttempts: 1,
    });
    let exited = false;
    try {
      await fake.waitForOutput(/\$ /, 'the shell prompt');
      fake.type('echo "sz=$(stty size | tr " " x)"\r');
      const seen = await fake.waitForOutput(/sz=\d+x\d+/, 'the size inside the session');
      assert.match(seen, /sz=44x120/, 'the size after the resize, not the one the pty was opened with');
      fake.type('exit 0\r');
      assert.equal(await session.exited, 0);
      exited = true;
    } finally {
      // `~.` leaves the session (exit 255) when the test failed before it ended.
      if (!exited) {
        fake.type('\r~.');
        await session.exited.catch(() => undefined);
      }
    }
  });
});

/** A TerminalPort with no tty behind it: we type, read the screen bytes and resize it. */
class FakeTerminal implements TerminalPort {
  readonly stderr = new Writable({ write: (_chunk, _enc, done) => done() });
  private current: { cols: number; rows: number };
  private pendingResize: { cols: number; rows: number } | undefined;
  private keys: ((data: Buffer) => void) | undefined;
  private resized: ((cols: number, rows: number) => void) | undefined;
  private output = '';

  constructor(size: { cols: number; rows: number }) {
    this.current = size;
  }

  resizeAfterNextRead(size: { cols: number; rows: number }): void {
    this.pendingResize = size;
  }

  onInput(listener: (data: Buffer) => void): void {
    this.keys = listener;
  }

  onResize(listener: (cols: number, rows: number) => void): void {
    this.resized = listener;
  }

  size(): { cols: number; rows: number } {
    const read = this.current;
    const next = this.pendingResize;
    if (next) {
      this.pendingResize = undefined;
      // After the caller's synchronous code, before any network reply can arrive.
      queueMicrotask(() => {
        this.current = next;
        this.resized?.(next.cols, next.rows);
      });
    }
    return read;
  }

  write(data: Buffer): void {
    this.output += data.toString('utf8');
  }

  suspend(): void {}

  type(text: string): void {
    this.keys?.(Buffer.from(text));
  }

  waitForOutput(pattern: RegExp, what: string): Promise<string> {
    return waitFor(() => (pattern.test(this.output) ? this.output : false), {
      timeoutMs: LOGIN_TIMEOUT_MS,
      what,
      detail: () => `output was:\n${JSON.stringify(this.output.slice(-2000))}`,
    });
  }
}
