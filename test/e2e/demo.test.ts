// The newcomer's path (issue 8): `stayssh --demo` at a real terminal gives a shell, the
// link is cut (reset, then black hole) and repaired, and `~.` leaves with nothing behind.
// However the demo ends (issue 17, item 9: `~.`, the shell's exit, SIGTERM, SIGINT, the
// terminal closing with the link up or down), no process, session, socket or temp file
// of it is left.
// The demo tells its story (issue 21): a banner that says what is about to happen and how
// to leave stays on screen at the prompt and after reattaches, the status line names the
// demo's cuts, and every command it prints works when run.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { demand } from '../harness/requirements.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';
import { isolatedClientEnv } from '../harness/ssh-client.js';
import { startTerminal, type Terminal } from '../harness/terminal.js';
import { printedCommandArgv, staysshCommandLine } from '../harness/stayssh-cli.js';
import { demoBanner } from '../../src/demo/demo.js';
import { pidsWithEnv, trySignal } from '../harness/process-tree.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * Every process of one demo run carries this variable (set on stayssh's command line, so
 * not on the test's terminal): stayssh, its embedded server's `script`, the shim, the
 * tmux client and server, the shell inside and what it runs.
 */
const MARK = 'STAYSSH_TEST_DEMO_RUN';
/** Long enough that no cut comes during a test that wants the link up. */
const NO_CUT_MS = 600_000;
/** A cut every 6 s: see the first test for why not less. */
const CUT_MS = 6_000;
/** stayssh's leaving, the session's end and the sweep of what is left, on a loaded machine. */
const NOTHING_LEFT_TIMEOUT_MS = 15_000;

interface DemoRun {
  term: Terminal;
  /** What is left of the run: its processes, files in its TMPDIR, tmux sockets, state. */
  leftovers(): string[];
  close(): Promise<void>;
}

const runs: DemoRun[] = [];
after(async () => {
  for (const run of runs) await run.close();
});

/**
 * `stayssh --demo` in a terminal, with its own TMPDIR (where the demo keeps its files),
 * TMUX_TMPDIR (where tmux would put a socket if the demo did not choose its own) and
 * XDG_STATE_HOME (the shim's session state), so that what it leaves can be listed.
 */
async function startDemo(cutMs: number, printed?: string): Promise<DemoRun> {
  demand('script'); // the demo's server gives its sessions a pty with util-linux script(1)
  const tmp: TempDir = makeTempDir('demo-test');
  const mark = randomBytes(8).toString('hex');
  const tmpDir = tmp.join('tmp');
  const tmuxDir = tmp.join('tmux');
  mkdirSync(tmpDir, { mode: 0o700 });
  mkdirSync(tmuxDir, { mode: 0o700 });
  const env = { ...isolatedClientEnv(tmp.path), STAYSSH_DEMO_CUT_MS: String(cutMs), TMPDIR: tmpDir, TMUX_TMPDIR: tmuxDir } as Record<string, string>;
  const stateDir = join(env['XDG_STATE_HOME'] as string, 'stayssh', 'sessions');
  const leftovers = (): string[] => [
    ...pidsWithEnv(MARK, mark).map((pid) => `process ${pid} (${commandOf(pid)})`),
    ...filesUnder(tmpDir).map((f) => `file ${f}`),
    ...filesUnder(tmuxDir).map((f) => `tmux socket ${f}`),
    ...filesUnder(stateDir).map((f) => `session state ${f}`),
  ];
  // `printed`: a command line the demo printed, run verbatim as the user would type it.
  const stayssh = printed === undefined ? staysshCommandLine(['--demo']) : printedCommandArgv(printed);
  const term = await startTerminal({ command: ['env', `${MARK}=${mark}`, ...stayssh], env });
  let closed = false;
  const run: DemoRun = {
    term,
    leftovers,
    async close() {
      if (closed) return;
      closed = true;
      await term.close();
      // What a failing run left must not outlive the test (the demo's tmux server, the
      // embedded server's script, the shell): they all carry the mark.
      for (const pid of pidsWithEnv(MARK, mark)) trySignal(pid, 'SIGKILL');
      tmp.close();
    },
  };
  runs.push(run);
  await term.waitForText(/\$\s*$|#\s*$/m, { timeoutMs: 15_000 });
  return run;
}

/** The banner (docs/BEHAVIOUR.md §1, `--demo`) is on the visible screen, every line of it. */
function assertBanner(screen: string, cutMs: number, when: string): void {
  const lines = screen.split('\n');
  for (const line of demoBanner(cutMs)) {
    assert.ok(lines.includes(line), `banner line ${JSON.stringify(line)} not on screen ${when}; screen was:\n${screen}`);
  }
}

/** The demo's status line naming its own cut, while the link is down. */
const DEMO_CUT_STATUS = /demo cut (the link )?\((reset|black hole)\) · (link lost|no reply for) .*~\. to leave/;

/**
 * The command lines a finished demo printed (`stayssh -...` to the end of its line), in
 * the whole transcript with wrapped lines joined.
 */
async function printedCommands(term: Terminal): Promise<string[]> {
  const transcript = await term.screen({ scrollback: true, join: true });
  return [...new Set([...transcript.matchAll(/\bstayssh +-[^\n]*/g)].map((m) => m[0].trim()))];
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 80);
  } catch {
    return 'gone';
  }
}

/** Paths of the files (sockets included) under `dir`, and of empty directories; none when it is gone. */
function filesUnder(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    try {
      if (!statSync(path).isDirectory()) return [path];
    } catch {
      return [];
    }
    const inside = filesUnder(path);
    return inside.length > 0 ? inside : [`${path}/`];
  });
}

/**
 * The demo's last line. Looked for in the scrollback too: when the session's last redraw
 * left the cursor on the top row, the line is printed there, and tmux's "Pane is dead"
 * (remain-on-exit) scrolls the pane by a line, into the history.
 */
async function finished(term: Terminal): Promise<void> {
  await term.waitForText(/demo: finished/, { timeoutMs: 10_000, scrollback: true });
}

async function nothingLeft(run: DemoRun): Promise<void> {
  let left: string[] = [];
  await waitFor(() => (left = run.leftovers()).length === 0, {
    timeoutMs: NOTHING_LEFT_TIMEOUT_MS,
    what: 'nothing of the demo to be left',
    detail: () => `left:\n${left.join('\n')}`,
  });
}

/** A shell busy printing, as the demo's intro suggests, so that its output is in flight. */
async function startTicking(term: Terminal): Promise<void> {
  await term.type('i=0; while :; do i=$((i+1)); echo tick-$i; sleep 0.2; done');
  await term.press('Enter');
  await term.waitForText('tick-3', { timeoutMs: 20_000 });
}

/**
 * Returns while the demo's link is down: the status line shows only while the link is
 * not back, and says for how long. A reset is repaired in a fraction of a second; two
 * seconds and more is a black hole, which lasts 5 s from the cut.
 */
async function linkDown(term: Terminal): Promise<void> {
  await term.waitForText(/link lost [2-9]s ago .*~\. to leave/, { timeoutMs: 30_000 });
}

test('--demo: a shell that survives a reset (idle) and a black hole (busy), left with ~., nothing left behind', async () => {
  // A cut every 6 s: each 5 s black hole leaves the link usable for 1 s before the next
  // cut (a reset). At 3 s the black holes overlapped the resets and left the link up for
  // well under a second in six, which a loaded machine could not always reattach within.
  const run = await startDemo(CUT_MS);
  const term = run.term;
  // The banner is on screen when the prompt comes up: printed by the session's shell, it
  // is not cleared when tmux takes the screen (stayssh's own intro line was).
  assertBanner(await term.screen(), CUT_MS, 'at the first prompt');
  // A shell idle at its prompt through the first cut (a reset) is still there after it:
  // the keys typed meanwhile run once the session is back (the demo's server once turned
  // the reset into a Ctrl-D that ended the shell, and with it the demo). The status line
  // says that the demo cut the link.
  await term.waitForText(DEMO_CUT_STATUS, { timeoutMs: 15_000 });
  await term.type('echo alive-$((6*7))');
  await term.press('Enter');
  // Reattached and redrawn: the banner is still there, part of the session's screen.
  assertBanner(await term.waitForText('alive-42', { timeoutMs: 20_000 }), CUT_MS, 'after the first cut and reattach');
  await startTicking(term);
  // First cut (a reset) then the black hole: the status line says so while it lasts.
  await term.waitForText(DEMO_CUT_STATUS, { timeoutMs: 15_000 });
  const during = await term.screen();
  const ticks = (s: string) => Math.max(0, ...[...s.matchAll(/tick-(\d+)/g)].map((m) => Number(m[1])));
  const frozen = ticks(during);
  await term.waitForText(new RegExp(`tick-${frozen + 5}`), { timeoutMs: 20_000 });
  await term.press('C-c');
  await term.press('Enter');
  await term.type('~.');
  await finished(term);
  assert.deepEqual(await term.waitForExit(), { code: 255, signal: null });
  await nothingLeft(run);
  // The demo names its session at the end, and the one command it prints works: nothing
  // is left to resume, so it prints no `--session` or `--list` line, which could not work
  // (the hint `stayssh --list --demo ''` did not).
  const transcript = await term.screen({ scrollback: true, join: true });
  assert.match(transcript, /demo: finished; session demo-[a-z0-9]+ and the demo's server are gone/);
  // No attach's nonce was ever echoed, on the screen or into the scrollback (BEHAVIOUR §7).
  assert.doesNotMatch(transcript, /[0-9a-f]{32}/);
  const printed = await printedCommands(term);
  assert.deepEqual(printed, ['stayssh --demo'], `commands printed:\n${printed.join('\n')}`);
  for (const line of printed) {
    const again = await startDemo(NO_CUT_MS, line);
    assertBanner(await again.term.screen(), NO_CUT_MS, `after running ${line}`);
    await again.term.type('exit');
    await again.term.press('Enter');
    await finished(again.term);
    assert.deepEqual(await again.term.waitForExit(), { code: 0, signal: null });
    await nothingLeft(again);
  }
});

test('--demo: the terminal closed while the link is down (SIGHUP) leaves nothing behind', async () => {
  const run = await startDemo(CUT_MS);
  await startTicking(run.term);
  await linkDown(run.term);
  await run.term.kill(); // the window closes: stayssh gets SIGHUP
  await nothingLeft(run);
});

test('--demo: the terminal closed while the link is up (SIGHUP) leaves nothing behind', async () => {
  const run = await startDemo(NO_CUT_MS);
  await startTicking(run.term);
  await run.term.kill();
  await nothingLeft(run);
});

test('--demo: SIGTERM while the link is down ends the demo and leaves nothing behind', async () => {
  const run = await startDemo(CUT_MS);
  await linkDown(run.term);
  trySignal(await run.term.pid(), 'SIGTERM');
  await finished(run.term);
  assert.deepEqual(await run.term.waitForExit(), { code: 255, signal: null });
  await nothingLeft(run);
});

test('--demo: SIGINT while the link is down ends the demo and leaves nothing behind', async () => {
  const run = await startDemo(CUT_MS);
  await linkDown(run.term);
  trySignal(await run.term.pid(), 'SIGINT');
  assert.deepEqual(await run.term.waitForExit(), { code: null, signal: 2 });
  await nothingLeft(run);
});

test('--demo: the shell exiting ends the demo and leaves nothing behind', async () => {
  const run = await startDemo(NO_CUT_MS);
  await run.term.type('exit 3');
  await run.term.press('Enter');
  await finished(run.term);
  assert.deepEqual(await run.term.waitForExit(), { code: 3, signal: null });
  await nothingLeft(run);
});
