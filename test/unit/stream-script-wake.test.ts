// How soon the stream script's attach passes on what a quiet command does, run locally
// under dash and bash (no sshd: the attach op is a shell command like any other). Its
// polling loop naps up to 300 ms between looks at the spools, so: output after a quiet
// spell is followed by GNU tail instead, and the runner sends the attach USR1 once the
// command's status is written. USR1 ends a process that does not trap it, so the runner
// must signal only a live attach of this very session, never whatever process now has
// the pid left in `attached` by an attach that died.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { attachCommand, ctlCommand } from '../../src/stream/stream-commands.js';
import { pidsWithEnv, trySignal } from '../harness/process-tree.js';
import { makeTempDir } from '../harness/temp-dir.js';
import { waitFor, withTimeout } from '../harness/wait-for.js';

/** One attach op, start to exit, ms: a few seconds at most when the wake-up works. */
const RUN_TIMEOUT_MS = 20_000;

const tmp = makeTempDir('test-stream-wake');
after(() => {
  // A failed test can leave a session's runner and command waiting (setsid: not our
  // children); everything started here has HOME set to this directory.
  for (const pid of pidsWithEnv('HOME', tmp.path)) trySignal(pid, 'SIGKILL');
  tmp.close();
});

// A `sleep` whose 300 ms nap lasts a minute: an attach loop that is not woken at the
// command's end then outlasts RUN_TIMEOUT_MS, one that is ends as soon as the command.
const realSleep = spawnSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).stdout.trim();
const slowNapDir = tmp.join('slow-nap');
mkdirSync(slowNapDir);
writeFileSync(`${slowNapDir}/sleep`, `#!/bin/sh\ncase "$1" in 0.3) exec ${realSleep} 60;; esac\nexec ${realSleep} "$@"\n`);
chmodSync(`${slowNapDir}/sleep`, 0o755);
const PATH = `${slowNapDir}:${process.env.PATH ?? '/usr/bin:/bin'}`;

let seq = 0;
function sessionDir(name: string): string {
  return tmp.join(`.local/state/stayssh/sessions/${name}`);
}

/** Starts an attach op creating session `name`; its stdin stays open as a channel's does. */
function startAttach(shell: string, name: string, command: string, eofAt: number | undefined): { child: ChildProcess; stdout: () => string; stderr: () => string } {
  const line = attachCommand({ name, from: { outOffset: 0, errOffset: 0 }, eofAt, create: true, command });
  const child = spawn(shell, ['-c', line], { env: { PATH, HOME: tmp.path, SHELL: `/bin/${shell}` }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  return { child, stdout: () => out, stderr: () => err };
}

/** Waits for the attach to end (its channel then goes, like a client's); its exit code. */
async function attachEnd(a: { child: ChildProcess }, name: string): Promise<number | null> {
  const { code } = await withTimeout(exited(a.child), RUN_TIMEOUT_MS, `attach ${name} to end`);
  a.child.stdin?.destroy();
  return code;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

for (const shell of ['dash', 'bash']) {
  describe(`stream attach under ${shell}: a quiet command's output and end go out at once`, () => {
    it('a command that went quiet ends its attach as soon as it exits, with its output and status', async () => {
      const name = `wake${++seq}`;
      // Quiet for 2 s: the attach loop is well into its longest naps when it ends.
      const a = startAttach(shell, name, 'sleep 2; echo done; exit 3', 0);
      assert.equal(await attachEnd(a, name), 3, a.stderr());
      assert.equal(a.stdout(), 'done\n');
    });

    it('output after a quiet spell goes out while the command still runs, stdout and stderr', async () => {
      const name = `quiet${++seq}`;
      const go = tmp.join(`go-${name}`);
      const command = `sleep 1; echo first; echo oops >&2; while [ ! -f ${go} ]; do sleep 0.05; done; echo second`;
      const a = startAttach(shell, name, command, 0);
      await waitFor(() => a.stdout() === 'first\n' && a.stderr().endsWith('oops\n'), {
        what: 'the output written after a quiet second, before the command ends',
        timeoutMs: RUN_TIMEOUT_MS,
        detail: () => `stdout ${JSON.stringify(a.stdout())}, stderr ${JSON.stringify(a.stderr())}`,
      });
      writeFileSync(go, '');
      assert.equal(await attachEnd(a, name), 0, a.stderr());
      assert.equal(a.stdout(), 'first\nsecond\n');
    });

    it('a stale pid in `attached` that another process now has is not signalled', async () => {
      const name = `stale${++seq}`;
      // `cat` waits for stdin's EOF, which comes only with the ctl below.
      const a = startAttach(shell, name, 'cat', undefined);
      await waitFor(() => /in=0/.test(a.stderr()), { what: 'the attach header', timeoutMs: RUN_TIMEOUT_MS, detail: a.stderr });
      // The attach dies with its link; its pid now names an unrelated process of the user.
      a.child.kill('SIGKILL');
      a.child.stdin?.destroy();
      await exited(a.child);
      const bystander = spawn(realSleep, ['30'], { stdio: 'ignore' });
      writeFileSync(`${sessionDir(name)}/attached`, `${bystander.pid}\n`);
      // stdin ends: cat exits, the runner writes its status and looks for an attach to wake.
      const ctl = spawnSync(shell, ['-c', ctlCommand(name, 0, 0, 0)], { env: { PATH, HOME: tmp.path }, encoding: 'utf8' });
      assert.equal(ctl.stdout.trim(), 'in=0', ctl.stderr);
      // The FIFOs go right after the wake-up: by then any USR1 has been sent.
      await waitFor(() => existsSync(`${sessionDir(name)}/exit`) && !existsSync(`${sessionDir(name)}/i.fifo`), {
        what: 'the runner to record the exit',
        timeoutMs: RUN_TIMEOUT_MS,
      });
      // A USR1 sent earlier is delivered before this TERM, and would be the cause of death.
      bystander.kill('SIGTERM');
      assert.deepEqual(await exited(bystander), { code: null, signal: 'SIGTERM' });
    });
  });
}
