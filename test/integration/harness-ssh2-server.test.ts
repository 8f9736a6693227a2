// The in-process ssh2 fallback server is good enough for the system `ssh` client: command
// output and exit status, password login, and an interactive pty that follows resizes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { run } from '../harness/run.js';
import { askpassEnv, clientArgs, isolatedClientEnv } from '../harness/ssh-client.js';
import { startSsh2Server, type Ssh2ServerHandle } from '../harness/ssh2-server.js';
import { startTerminal, type Terminal } from '../harness/terminal.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';

describe('ssh2 fallback server', () => {
  let server: Ssh2ServerHandle;
  let tmp: TempDir;
  let term: Terminal | undefined;

  before(async () => {
    tmp = makeTempDir('test-ssh2');
    server = await startSsh2Server();
  });
  after(async () => {
    await term?.close();
    await server?.close();
    tmp?.close();
  });

  it("answers `echo hi; exit 3` with hi and status 3, stderr apart, stdin through", async () => {
    const result = await run('ssh', [...clientArgs(server), 'echo hi; echo oops >&2; exit 3'], { env: isolatedClientEnv(tmp.path) });
    assert.equal(result.stdout, 'hi\n');
    assert.equal(result.stderr, 'oops\n');
    assert.equal(result.code, 3);
    const piped = await run('ssh', [...clientArgs(server), 'tr a-z A-Z'], { env: isolatedClientEnv(tmp.path), input: 'stdin-ok\n' });
    assert.equal(piped.stdout, 'STDIN-OK\n', piped.stderr);
  });

  it('accepts the password, refuses a wrong one', async () => {
    assert.ok(server.password);
    const args = [...clientArgs(server, { identity: null, batchMode: false, options: { PreferredAuthentications: 'password', NumberOfPasswordPrompts: '1' } }), 'echo pw-ok'];
    const good = await run('ssh', args, { env: isolatedClientEnv(tmp.path, askpassEnv(tmp.path, server.password)) });
    assert.equal(good.stdout, 'pw-ok\n', good.stderr);
    const bad = await run('ssh', args, { env: isolatedClientEnv(tmp.path, askpassEnv(tmp.path, 'wrong')) });
    assert.equal(bad.code, 255);
    assert.match(bad.stderr, /Permission denied/);
  });

  it('gives an interactive pty that follows window changes', async () => {
    const env = isolatedClientEnv(tmp.path) as Record<string, string>;
    term = await startTerminal({ command: ['ssh', ...clientArgs(server, { extra: ['-t'] }), 'PS1="ready> " exec /bin/sh'], cols: 90, rows: 25, env });
    await term.waitForText('ready>'); // Type at the prompt, as a person would: no type-ahead echo.
    await term.type('stty size; echo "t=$TERM"');
    await term.press('Enter');
    await term.waitForText(/^25 90$/m);
    await term.waitForText(/^t=xterm-256color$/m);
    await term.resize(70, 20);
    await term.type('clear; stty size');
    await term.press('Enter');
    await term.waitForText(/^20 70$/m);
    await term.type('exit 6');
    await term.press('Enter');
    assert.deepEqual(await term.waitForExit(), { code: 6, signal: null });
  });
});
