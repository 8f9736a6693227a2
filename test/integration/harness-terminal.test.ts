// The terminal driver runs a real interactive `ssh` in a private tmux pane: typing reaches
// the remote shell, the screen is readable, a resize reaches the remote pty, the exit
// status of the command comes back, and kill() closes the window.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isAlive } from '../harness/process-tree.js';
import { clientArgs, isolatedClientEnv } from '../harness/ssh-client.js';
import { startSshd } from '../harness/sshd.js';
import { startTerminal, type Terminal } from '../harness/terminal.js';
import type { TestServer } from '../harness/test-server.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';
import { waitFor } from '../harness/wait-for.js';

describe('terminal driver', () => {
  let server: TestServer;
  let tmp: TempDir;
  const terminals: Terminal[] = [];

  before(async () => {
    tmp = makeTempDir('test-terminal');
    server = await startSshd();
  });
  after(async () => {
    for (const t of terminals) await t.close();
    await server?.close();
    tmp?.close();
  });

  it('drives an interactive ssh: type, read, resize, exit status', async () => {
    const env = isolatedClientEnv(tmp.path) as Record<string, string>;
    const term = await startTerminal({ command: ['ssh', ...clientArgs(server, { extra: ['-t'] })], cols: 100, rows: 30, env });
    terminals.push(term);
    await term.waitForText(/\$$/m); // bash's prompt: type at the prompt, as a person would.
    await term.type('echo "term=$TERM"; echo hello-$((6*7))');
    await term.press('Enter');
    const screen = await term.waitForText(/^hello-42$/m);
    assert.match(screen, /^term=xterm-256color$/m, 'TERM inside the pane reaches the remote side');
    await term.type('stty size');
    await term.press('Enter');
    await term.waitForText(/^30 100$/m);
    await term.resize(120, 40);
    await term.type('clear; stty size');
    await term.press('Enter');
    await term.waitForText(/^40 120$/m);
    await term.type('exit 5');
    await term.press('Enter');
    assert.deepEqual(await term.waitForExit(), { code: 5, signal: null });
  });

  it('reports death by signal, keeps scrollback, and kill() closes the window', async () => {
    const term = await startTerminal({ command: 'seq 1 200; exec sleep 100', cols: 40, rows: 10 });
    terminals.push(term);
    await term.waitForText(/^200$/m);
    const all = await term.screen({ scrollback: true });
    assert.match(all, /^1\n2\n3\n/, 'scrollback holds the first lines');
    const pid = await term.pid();
    process.kill(pid, 'SIGTERM');
    assert.deepEqual(await term.waitForExit(), { code: null, signal: 15 });

    const second = await startTerminal({ command: ['sleep', '100'] });
    terminals.push(second);
    const sleeper = await second.pid();
    await second.kill();
    await waitFor(() => !isAlive(sleeper), { what: 'the command to die with its window (SIGHUP)' });
  });
});
