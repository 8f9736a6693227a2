// Help and completions (issue 21; docs/BEHAVIOUR.md §1): `-h` as `--help`, grouped and
// readable in 80 columns; `--completion SHELL`, an unknown shell being one line and 255;
// and the bash script run in a real bash, its function called with COMP_WORDS/COMP_CWORD
// as bash calls it, COMPREPLY checked: options, option values, hosts from ~/.ssh/config
// and known_hosts, and session names from `stayssh --list --json HOST` (a stand-in that
// records its argv, one that never answers, and the real stayssh against a real sshd).
// zsh and fish are not tested here: CI does not install them (docs/DECISIONS.md).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { run } from '../harness/run.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';
import { clientArgs, isolatedClientEnv } from '../harness/ssh-client.js';
import { startSshd, type SshdHandle } from '../harness/sshd.js';
import { waitFor } from '../harness/wait-for.js';
import { runStayssh, singleErrorLine, startStayssh, STAYSSH_BIN, STAYSSH_NODE_FLAGS } from '../harness/stayssh-cli.js';
import { HELP_WIDTH } from '../../src/cli/program.js';
import type { SessionInfo } from '../../src/cli/manage.js';

/** bash, reading no rc file of the machine's. */
const BASH = '/bin/bash';
const BASH_FLAGS = ['--norc', '--noprofile'];

describe('help', () => {
  test('-h prints the help as --help does, grouped, every line within 80 columns, exit 0', async () => {
    const long = await runStayssh(['--help']);
    const short = await runStayssh(['-h']);
    const afterDestination = await runStayssh(['lab', '-h']);
    for (const r of [long, short, afterDestination]) assert.deepEqual([r.code, r.stderr], [0, '']);
    assert.equal(short.stdout, long.stdout);
    assert.equal(afterDestination.stdout, long.stdout);
    const headings = ['Usage: stayssh', 'OpenSSH options', 'Sessions:', 'Reconnecting and scripting:', 'Keychain:', 'Other:', 'Examples:', 'Escapes', 'Exit status:', 'Files:', 'Environment:'];
    let at = -1;
    for (const h of headings) {
      const next = short.stdout.indexOf(h);
      assert.ok(next > at, `"${h}" missing or out of order in:\n${short.stdout}`);
      at = next;
    }
    const wide = short.stdout.split('\n').filter((l) => l.length > HELP_WIDTH);
    assert.deepEqual(wide, [], 'lines wider than 80 columns');
  });
});

describe('--completion', () => {
  let tmp: TempDir;
  /** HOME with a ~/.ssh/config and known_hosts, and PATH with `stayssh` as this checkout's. */
  let env: NodeJS.ProcessEnv;
  let script: string;
  /** A directory for a stand-in `stayssh` (put first on PATH by a test). */
  let fakeBin: string;

  before(async () => {
    tmp = makeTempDir('completion');
    const bin = tmp.join('bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'stayssh'), `#!/bin/sh\nexec '${process.execPath}' ${STAYSSH_NODE_FLAGS.join(' ')} '${STAYSSH_BIN}' "$@"\n`, { mode: 0o755 });
    fakeBin = tmp.join('fake-bin');
    mkdirSync(fakeBin);
    env = isolatedClientEnv(tmp.path, { PATH: [bin, process.env.PATH ?? '/usr/bin:/bin'].join(delimiter) });
    const ssh = join(env.HOME ?? '', '.ssh');
    writeFileSync(
      join(ssh, 'config'),
      ['Host lab lab2 *.corp !lab3', '  HostName 10.1.2.3', 'Host=eqhost', '  Host  "quoted" # a comment', 'Match host foo', '  User x', ''].join('\n'),
    );
    writeFileSync(
      join(ssh, 'known_hosts'),
      [
        'known1,192.0.2.7 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA',
        '[known2]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA',
        '|1|c2FsdA==|aGFzaA== ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA',
        '@revoked gone ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA',
        '*.wild,$(touch${IFS}pwned) ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA',
        '# a comment',
        '',
      ].join('\n'),
    );
    const r = await runStayssh(['--completion', 'bash'], { env });
    assert.equal(r.code, 0, r.stderr);
    script = tmp.join('stayssh.bash');
    writeFileSync(script, r.stdout);
  });
  after(() => tmp?.close());

  /** Calls _stayssh as bash does for `words` with the cursor on word `cword`; COMPREPLY. */
  async function complete(words: string[], cword = words.length - 1, extraEnv: NodeJS.ProcessEnv = {}): Promise<string[]> {
    const code = 'source "$1" || exit 9; COMP_CWORD=$2; shift 2; COMP_WORDS=("$@"); _stayssh; printf "%s\\n" "${COMPREPLY[@]}"';
    const r = await run(BASH, [...BASH_FLAGS, '-c', code, 'bash', script, String(cword), ...words], { env: { ...env, ...extraEnv }, cwd: tmp.path });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    return r.stdout.split('\n').filter((l) => l !== '');
  }

  /** A `stayssh` that writes its argv, one per line, to `argvFile` and then runs `body`. */
  function fakeStayssh(name: string, body: string): { env: NodeJS.ProcessEnv; argvFile: string } {
    const dir = join(fakeBin, name);
    mkdirSync(dir);
    const argvFile = join(dir, 'argv');
    writeFileSync(join(dir, 'stayssh'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${argvFile}'\n${body}\n`, { mode: 0o755 });
    return { env: { PATH: [dir, env.PATH].join(delimiter) }, argvFile };
  }

  test('an unknown shell, or none: one line, exit 255', async () => {
    for (const [args, pattern] of [
      [['--completion', 'tcsh'], /^stayssh: .*--completion.*'tcsh' is invalid.*bash, zsh, fish/],
      [['--completion'], /^stayssh: .*--completion.*argument missing/],
    ] as const) {
      const r = await runStayssh(args, { env });
      assert.match(singleErrorLine(r.stderr), pattern);
      assert.deepEqual([r.code, r.stdout], [255, '']);
    }
  });

  test('bash: the script loads and registers itself for stayssh', async () => {
    const r = await run(BASH, [...BASH_FLAGS, '-c', 'source <(stayssh --completion bash); complete -p stayssh'], { env });
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'complete -F _stayssh stayssh\n', '']);
  });

  test('bash: hosts from ~/.ssh/config and known_hosts, without patterns or hashed entries; user@ kept', async () => {
    assert.deepEqual(await complete(['stayssh', '']), ['192.0.2.7', 'eqhost', 'known1', 'known2', 'lab', 'lab2', 'quoted']);
    assert.deepEqual(await complete(['stayssh', 'la']), ['lab', 'lab2']);
    assert.deepEqual(await complete(['stayssh', '-p', '2222', 'bob@kn']), ['bob@known1', 'bob@known2']);
    // The cursor on the destination, options before and after it.
    assert.deepEqual(await complete(['stayssh', '-4', 'e', '-v'], 2), ['eqhost']);
    // A host list for -J, after the hops already typed.
    assert.deepEqual(await complete(['stayssh', '-J', 'lab,kno']), ['lab,known1', 'lab,known2']);
    // Nothing read from a file is expanded: `$(touch${IFS}pwned)` was not run, nor offered.
    assert.deepEqual(await complete(['stayssh', '$']), []);
    const ls = await run('ls', [tmp.path]);
    assert.ok(!ls.stdout.includes('pwned'), ls.stdout);
  });

  test('bash: options, and the values of --mux, --completion, -o and -F; nothing for the remote command', async () => {
    assert.deepEqual(await complete(['stayssh', '--se']), ['--session']);
    const all = await complete(['stayssh', '-']);
    for (const option of ['-h', '--help', '-J', '--give-up-after', '--completion']) assert.ok(all.includes(option), `${option} in ${all.join(' ')}`);
    assert.deepEqual(await complete(['stayssh', '--mux', '']), ['auto', 'tmux', 'screen']);
    assert.deepEqual(await complete(['stayssh', '--mux', '=', 't']), ['tmux']); // `--mux=t`, as bash splits it
    assert.deepEqual(await complete(['stayssh', '--completion', 'z']), ['zsh']);
    assert.deepEqual(await complete(['stayssh', '-o', 'ServerAlive']), ['ServerAliveInterval=', 'ServerAliveCountMax=']);
    assert.deepEqual(await complete(['stayssh', 'lab', 'ls', '']), []);
    assert.deepEqual(await complete(['stayssh', 'lab', '--', '']), []);
    assert.deepEqual(await complete(['stayssh', '-p', '']), []);
    writeFileSync(tmp.join('my config'), '');
    assert.deepEqual(await complete(['stayssh', '-F', 'my']), ['my config']); // a file name, spaces and all
  });

  test('bash: session names come from `stayssh --list --json HOST`, with the connection options of the line and BatchMode', async () => {
    const sessions: Array<Partial<SessionInfo>> = [
      { name: 'work', state: 'detached', created: '2026-01-01T00:00:00.000Z', command: 'echo "name": "not-a-session"', mux: 'tmux' },
      { name: 's-abc123', state: 'attached', created: '2026-01-02T00:00:00.000Z', command: '', mux: 'screen' },
    ];
    // As run-manage.ts prints it.
    const fake = fakeStayssh('lists', `cat <<'EOF'\n${JSON.stringify(sessions, null, 2)}\nEOF`);
    const line = ['stayssh', '-p', '2222', '-i', '~/.ssh/key', '-o', 'User=bob', '-vt', 'lab', '--session', ''];
    assert.deepEqual(await complete(line, line.length - 1, fake.env), ['work', 's-abc123']);
    const home = env.HOME ?? '';
    assert.deepEqual(readFileSync(fake.argvFile, 'utf8').split('\n').filter((l) => l !== ''), ['-o', 'BatchMode=yes', '-p', '2222', '-i', `${home}/.ssh/key`, '-o', 'User=bob', '--list', '--json', 'lab']);
    // --kill, the destination after the cursor, a prefix typed.
    assert.deepEqual(await complete(['stayssh', '--kill', 'w', 'lab'], 2, fake.env), ['work']);
    // No destination on the line: stayssh is not run at all.
    const none = fakeStayssh('never', 'exit 0');
    assert.deepEqual(await complete(['stayssh', '--session', ''], 2, none.env), []);
    assert.throws(() => readFileSync(none.argvFile), /ENOENT/);
  });

  test('bash: a host that never answers costs STAYSSH_COMPLETION_TIMEOUT seconds, then no names', async () => {
    const hung = fakeStayssh('hung', 'exec sleep 600');
    const started = Date.now();
    assert.deepEqual(await complete(['stayssh', 'lab', '--session', ''], 3, { ...hung.env, STAYSSH_COMPLETION_TIMEOUT: '1' }), []);
    const took = Date.now() - started;
    assert.ok(took < 10_000, `the completion took ${took} ms with a 1 s timeout`);
  });

  describe('against a real sshd', () => {
    let sshd: SshdHandle;
    before(async () => {
      sshd = await startSshd();
    });
    after(async () => {
      await sshd?.close();
    });

    test('bash: --session offers the sessions the real stayssh --list --json finds there', async () => {
      const args = clientArgs(sshd);
      const left = startStayssh([...args, '--session', 'comp-real', 'echo ready; exec sleep 600'], { env });
      await waitFor(() => left.stdout() === 'ready\n', { what: 'the session to start' });
      left.kill('SIGTERM'); // it stays on the server (docs/DECISIONS.md, stream mode)
      assert.equal((await left.exited).code, 255);
      try {
        // A login on a loaded 2-core box: far more than the default 3 s allowed here.
        const names = await complete(['stayssh', ...args, '--session', 'comp'], args.length + 2, { STAYSSH_COMPLETION_TIMEOUT: '20' });
        assert.deepEqual(names, ['comp-real']);
      } finally {
        await runStayssh([...args, '--kill', 'comp-real'], { env });
      }
    });
  });
});
