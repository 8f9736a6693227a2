// Everyday ssh work with stayssh against a real OpenSSH sshd (issue 2's "done when"):
// a key from a file and from an agent, a password typed at the prompt, a ~/.ssh/config
// alias, and commands in pipelines with their exit status.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSshd, type SshdHandle } from '../harness/sshd.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';
import { clientArgs, isolatedClientEnv } from '../harness/ssh-client.js';
import { run, runOk, start } from '../harness/run.js';
import { startTerminal } from '../harness/terminal.js';
import { waitFor } from '../harness/wait-for.js';
import { runPrintedCommand, runStayssh, startStayssh, staysshCommandLine } from '../harness/stayssh-cli.js';
import { loginPassword } from '../harness/login-user.js';
import { needs } from '../harness/requirements.js';

describe('stayssh for everyday ssh work', () => {
  let sshd: SshdHandle;
  let tmp: TempDir;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    sshd = await startSshd();
    tmp = makeTempDir("cli");
    env = isolatedClientEnv(tmp.path);
  });
  after(async () => {
    await sshd?.close();
    tmp?.close();
  });

  test('runs a command with a key file and carries its output and exit status', async () => {
    const r = await runStayssh([...clientArgs(sshd), 'echo', 'hello from $(whoami); echo oops >&2; exit 3'], { env });
    assert.equal(r.stdout, `hello from ${sshd.user}\n`);
    assert.equal(r.stderr, 'oops\n');
    assert.equal(r.code, 3);
  });

  test('works in a pipeline: stdin in, stdout out, exit status 0', async () => {
    const r = await runStayssh([...clientArgs(sshd), 'tr a-z A-Z'], { env, input: 'one\ntwo\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'ONE\nTWO\n');
  });

  test('with no command and stdin not a terminal (or -T), runs the login shell on stdin as a stream session', async () => {
    for (const [flags, name] of [[[], 'shell-piped'], [['-T'], 'shell-dash-t']] as const) {
      // The shell finds its own session directory: stream mode, not a plain channel that dies with the link.
      const input = `echo "shell on stdin as $(whoami), kind $(cat "$HOME/.local/state/stayssh/sessions/${name}/mux")"\nexit 6\n`;
      const r = await runStayssh([...clientArgs(sshd), ...flags, '--session', name], { env, input });
      assert.equal(r.stdout, `shell on stdin as ${sshd.user}, kind stream\n`, r.stderr);
      assert.equal(r.code, 6);
    }
  });

  test('a command left by SIGTERM keeps running; stayssh says how to rejoin it, and rejoining shows what followed', async () => {
    const flag = `rejoin-go-${process.pid}`;
    const cmd = `echo ready; while [ ! -f "$HOME/${flag}" ]; do sleep 0.05; done; rm "$HOME/${flag}"; echo done; exit 3`;
    const first = startStayssh([...clientArgs(sshd), '--session', 'rejoin', cmd], { env });
    await waitFor(() => first.stdout() === 'ready\n', { what: 'the command to start' });
    first.kill('SIGTERM');
    const left = await first.exited;
    assert.equal(left.code, 255, left.stderr);
    // The advice is the user's own command line again, with the session's name: it runs as printed.
    const advice = /resume with: (stayssh --session rejoin .*)$/m.exec(left.stderr)?.[1];
    assert.ok(advice, left.stderr);
    await sshd.runAsUser(`touch "$HOME/${flag}"`);
    const again = await runPrintedCommand(advice, { env });
    assert.equal(again.stdout, 'done\n', again.stderr);
    assert.equal(again.code, 3);
  });

  test('carries a stdin larger than the in-flight window (40 MB) exactly, like `tar c | ssh host tar x`', async () => {
    // More than the 16 MiB held unconfirmed: stdin pauses and must resume on confirmations.
    const data = randomBytes(40 * 1024 * 1024);
    const r = await runStayssh([...clientArgs(sshd), 'sha256sum'], { env, input: data, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${createHash('sha256').update(data).digest('hex')}  -\n`);
  });

  test('command words are joined with spaces for the remote shell, exactly as ssh does', async () => {
    const words = ['printf', "'[%s]'", 'a b', '$HOME', '"c  d"', '*'];
    const viaSsh = await run('ssh', [...clientArgs(sshd), ...words], { env });
    const viaStayssh = await runStayssh([...clientArgs(sshd), ...words], { env });
    assert.equal(viaSsh.code, 0, viaSsh.stderr);
    assert.ok(viaSsh.stdout.includes('[a][b]'), viaSsh.stdout);
    assert.equal(viaStayssh.stdout, viaSsh.stdout);
    assert.equal(viaStayssh.code, 0);
  });

  test('logs in with a key held by ssh-agent', async () => {
    const sock = join(tmp.path, 'agent.sock');
    const agent = start('ssh-agent', ['-D', '-a', sock], { env });
    try {
      await waitFor(async () => (await run('ssh-add', ['-l'], { env: { ...env, SSH_AUTH_SOCK: sock } })).code === 1, { what: 'ssh-agent to listen' });
      await runOk('ssh-add', [sshd.clientKeyPath], { env: { ...env, SSH_AUTH_SOCK: sock } });
      const args = clientArgs(sshd, { identity: null, options: { PubkeyAuthentication: 'yes', IdentitiesOnly: 'no' } });
      const r = await runStayssh([...args, 'echo agent-ok'], { env: { ...env, SSH_AUTH_SOCK: sock } });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'agent-ok\n');
    } finally {
      agent.kill('SIGTERM');
      await agent.exited;
    }
  });

  test('follows a ~/.ssh/config alias: HostName, Port, User, IdentityFile, known hosts', async () => {
    const home = env['HOME'] ?? '';
    mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
    writeFileSync(
      join(home, '.ssh', 'config'),
      [
        'Host lab',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  User ${sshd.user}`,
        `  IdentityFile ${sshd.clientKeyPath}`,
        `  UserKnownHostsFile ${sshd.knownHostsPath}`,
        '  StrictHostKeyChecking yes',
        '  BatchMode yes',
        '',
      ].join('\n'),
    );
    const r = await runStayssh(['lab', 'echo alias-ok on port $(echo $SSH_CONNECTION | cut -d" " -f4)'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `alias-ok on port ${sshd.port}\n`);
  });

  test('asks for a password on the terminal once and logs in', needs('root'), async () => {
    const password = loginPassword(sshd);
    const args = clientArgs(sshd, { identity: null, batchMode: false });
    const term = await startTerminal({ command: staysshCommandLine([...args, 'echo password-ok']), env: env as Record<string, string> });
    try {
      await term.waitForText(`${sshd.user}@127.0.0.1's password:`);
      await term.type(password);
      await term.press('Enter');
      const screen = await term.waitForText('password-ok');
      assert.ok(!screen.includes(password), 'the password must not be echoed');
      assert.deepEqual(await term.waitForExit(), { code: 0, signal: null });
    } finally {
      await term.close();
    }
  });
});
