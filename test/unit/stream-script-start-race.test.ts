// "Never started twice", when two attaches create the same session at once: the attach of
// a link lost mid-login can still be running on the server when the retry's attach
// arrives, and both then find no session. The mkdir of its directory is the lock; the
// attach that loses it joins the session the other one is creating (it used to answer
// error=cannot-create, and the client exited 255). Run locally under dash and bash: an
// attach op is a shell command like any other.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { attachCommand } from '../../src/stream/stream-commands.js';
import { pidsWithEnv, trySignal } from '../harness/process-tree.js';
import { makeTempDir } from '../harness/temp-dir.js';
import { waitFor, withTimeout } from '../harness/wait-for.js';

/** One attach op, start to exit, ms. */
const RUN_TIMEOUT_MS = 20_000;

const tmp = makeTempDir('test-stream-race');
after(() => {
  for (const pid of pidsWithEnv('HOME', tmp.path)) trySignal(pid, 'SIGKILL');
  tmp.close();
});

// A `mkdir` that takes its time over a session directory (not over `mkdir -p`): the attach
// running it has seen no session, and another one creates it meanwhile.
const realMkdir = spawnSync('sh', ['-c', 'command -v mkdir'], { encoding: 'utf8' }).stdout.trim();
const slowDir = tmp.join('slow-mkdir');
mkdirSync(slowDir);
writeFileSync(`${slowDir}/mkdir`, `#!/bin/sh\n[ "$1" = -p ] || sleep 0.5\nexec ${realMkdir} "$@"\n`);
chmodSync(`${slowDir}/mkdir`, 0o755);
const PATH = process.env.PATH ?? '/usr/bin:/bin';

function startAttach(shell: string, name: string, command: string, path: string): { child: ChildProcess; stderr: () => string } {
  const line = attachCommand({ name, from: 'acknowledged', eofAt: 0, create: true, command });
  const child = spawn(shell, ['-c', line], { env: { PATH: path, HOME: tmp.path, SHELL: `/bin/${shell}` }, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdout?.resume();
  return { child, stderr: () => err };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

let seq = 0;
for (const shell of ['dash', 'bash']) {
  describe(`stream attach under ${shell}: two attaches creating one session`, () => {
    it('the one that loses the race joins the session; the command runs once', async () => {
      const name = `race${++seq}`;
      const count = tmp.join(`count-${name}`);
      const go = tmp.join(`go-${name}`);
      const command = `echo started >> ${count}; while [ ! -f ${go} ]; do sleep 0.05; done; echo done`;
      const slow = startAttach(shell, name, command, `${slowDir}:${PATH}`);
      const fast = startAttach(shell, name, command, PATH);
      await waitFor(() => /^stayssh-stream 1 /m.test(slow.stderr()), { what: 'the slow attach to answer', timeoutMs: RUN_TIMEOUT_MS, detail: slow.stderr });
      assert.doesNotMatch(slow.stderr(), /error=/, 'the attach that lost the mkdir joined');
      assert.doesNotMatch(fast.stderr(), /error=/);
      writeFileSync(go, '');
      await withTimeout(Promise.all([exited(slow.child), exited(fast.child)]), RUN_TIMEOUT_MS, `the attaches of ${name} to end`);
      assert.equal(readFileSync(count, 'utf8'), 'started\n', 'the command ran exactly once');
    });
  });
}
