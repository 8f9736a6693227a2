// The newcomer's path (issue 8): `stayssh --demo` at a real terminal gives a shell, the
// link is cut (reset, then black hole) and repaired, and `~.` leaves with nothing behind.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { demand } from '../harness/requirements.js';
import { makeTempDir } from '../harness/temp-dir.js';
import { isolatedClientEnv } from '../harness/ssh-client.js';
import { startTerminal, type Terminal } from '../harness/terminal.js';
import { staysshCommandLine } from '../harness/stayssh-cli.js';

const tmp = makeTempDir('demo');
let term: Terminal | undefined;
after(async () => {
  await term?.close();
  tmp.close();
});

test('--demo: a shell that survives a reset (idle) and a black hole (busy), left with ~.', async () => {
  demand('script'); // the demo's server gives its sessions a pty with util-linux script(1)
  // The demo plays the server on this machine: keep its tmux apart from any other.
  // A cut every 6 s: each 5 s black hole leaves the link usable for 1 s before the next
  // cut (a reset). At 3 s the black holes overlapped the resets and left the link up for
  // well under a second in six, which a loaded machine could not always reattach within.
  const env = { ...isolatedClientEnv(tmp.path), STAYSSH_DEMO_CUT_MS: '6000' } as Record<string, string>;
  term = await startTerminal({ command: staysshCommandLine(['--demo']), env });
  await term.waitForText(/\$\s*$|#\s*$/m, { timeoutMs: 15_000 });
  // A shell idle at its prompt through the first cut (a reset) is still there after it:
  // the keys typed meanwhile run once the session is back (the demo's server once turned
  // the reset into a Ctrl-D that ended the shell, and with it the demo).
  await term.waitForText(/link lost .*~\. to leave/, { timeoutMs: 15_000 });
  await term.type('echo alive-$((6*7))');
  await term.press('Enter');
  await term.waitForText('alive-42', { timeoutMs: 20_000 });
  await term.type('i=0; while :; do i=$((i+1)); echo tick-$i; sleep 0.2; done');
  await term.press('Enter');
  await term.waitForText('tick-3', { timeoutMs: 20_000 });
  // First cut (a reset) then the black hole: the status line says so while it lasts.
  await term.waitForText(/link lost .*~\. to leave/, { timeoutMs: 15_000 });
  const during = await term.screen();
  const ticks = (s: string) => Math.max(0, ...[...s.matchAll(/tick-(\d+)/g)].map((m) => Number(m[1])));
  const frozen = ticks(during);
  await term.waitForText(new RegExp(`tick-${frozen + 5}`), { timeoutMs: 20_000 });
  await term.press('C-c');
  await term.press('Enter');
  await term.type('~.');
  await term.waitForText(/demo: finished/, { timeoutMs: 10_000 });
  assert.deepEqual(await term.waitForExit(), { code: 255, signal: null });
});
