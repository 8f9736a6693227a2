// docs/BEHAVIOUR.md §7: every bad input ends with one clear line on stderr and exit 255 (1 for --kill of
// a missing session): no stack trace, no hang. Each test names the row it covers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSshd, type SshdHandle } from '../harness/sshd.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';
import { clientArgs, isolatedClientEnv } from '../harness/ssh-client.js';
import { freePort } from '../harness/free-port.js';
import { generateKey, knownHostsEntry } from '../harness/keys.js';
import { runStayssh, singleErrorLine } from '../harness/stayssh-cli.js';

describe('bad input: one line, documented status', () => {
  let sshd: SshdHandle;
  let tmp: TempDir;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    sshd = await startSshd();
    tmp = makeTempDir("bad");
    env = isolatedClientEnv(tmp.path);
  });
  after(async () => {
    await sshd?.close();
    tmp?.close();
  });

  async function expectOneLine(args: string[], pattern: RegExp, code = 255): Promise<void> {
    const r = await runStayssh(args, { env });
    const line = singleErrorLine(r.stderr);
    assert.match(line, pattern);
    assert.equal(r.code, code, `exit status for: ${line}`);
    assert.equal(r.stdout, '');
  }

  test('unknown flag', () => expectOneLine(['-Z', 'host'], /^stayssh: unknown option '-Z'/));
  test('missing destination', () => expectOneLine([], /^stayssh: no destination given/));
  test('malformed -o', () => expectOneLine(['-o', 'Bogus=yes', 'host'], /^stayssh: .*unknown option "?Bogus"?/i));
  test('-o without a value', () => expectOneLine(['-o', 'Port', 'host'], /^stayssh: .*Port/));
  test('bad port', () => expectOneLine(['-p', 'http', 'host'], /^stayssh: bad port "http"/));
  test('a port past 65535', () => expectOneLine(['-p', '70000', 'host'], /^stayssh: bad port "70000" \(expected 1-65535\)$/));

  test('malformed config file, named with file:line', async () => {
    const cfg = join(tmp.path, 'bad-config');
    writeFileSync(cfg, 'Host x\n  Port 22\n  NoSuchKeyword yes\n');
    await expectOneLine(['-F', cfg, 'x', 'true'], new RegExp(`^stayssh: ${cfg}:3: .*NoSuchKeyword`));
  });

  test('unreadable -F config', () => expectOneLine(['-F', join(tmp.path, 'missing'), 'x', 'true'], /^stayssh: .*missing.*/));

  test('invalid session name is refused before any connection', async () => {
    // Port 1 on loopback refuses: had it dialed, the message would be about the connection.
    await expectOneLine(['-p', '1', '--session', 'bad name;rm', '127.0.0.1'], /^stayssh: invalid session name/);
  });

  test('unresolvable host', () => expectOneLine(['-o', 'BatchMode=yes', 'no-such-host.invalid', 'true'], /^stayssh: could not resolve hostname no-such-host\.invalid/));

  test('refused port', async () => {
    const port = await freePort();
    await expectOneLine([...clientArgs(sshd, { port }), 'true'], new RegExp(`^stayssh: connect to host 127\\.0\\.0\\.1 port ${port}: connection refused`));
  });

  test('wrong key', async () => {
    const other = await generateKey(join(tmp.path, 'not-authorized'));
    await expectOneLine([...clientArgs(sshd, { identity: other.privatePath }), 'true'], /^stayssh: .*permission denied/i);
  });

  test('unknown host key with StrictHostKeyChecking=yes', async () => {
    const empty = join(tmp.path, 'empty_known_hosts');
    writeFileSync(empty, '');
    await expectOneLine([...clientArgs(sshd, { knownHostsFile: empty }), 'true'], /^stayssh: no .* host key is known for \[127\.0\.0\.1\]:\d+/);
  });

  test('changed host key: loud warning, no login, 255', async () => {
    const impostor = await generateKey(join(tmp.path, 'impostor'));
    const kh = join(tmp.path, 'changed_known_hosts');
    writeFileSync(kh, `${knownHostsEntry('127.0.0.1', sshd.port, impostor.publicLine)}\n`);
    const r = await runStayssh([...clientArgs(sshd, { knownHostsFile: kh, strictHostKeyChecking: 'no' }), 'echo should-not-run'], { env });
    assert.equal(r.code, 255);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED/);
    const last = r.stderr.trim().split('\n').at(-1) ?? '';
    assert.match(last, /^stayssh: host key for 127\.0\.0\.1 has changed/);
    assert.ok(!/^\s+at\s/m.test(r.stderr));
  });

  test('accept-new writes the key as OpenSSH does, then it is known', async () => {
    const kh = join(tmp.path, 'new_known_hosts');
    const first = await runStayssh([...clientArgs(sshd, { knownHostsFile: kh, strictHostKeyChecking: 'accept-new' }), 'echo first'], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /Permanently added '\[127\.0\.0\.1\]:\d+'/);
    const second = await runStayssh([...clientArgs(sshd, { knownHostsFile: kh, strictHostKeyChecking: 'yes' }), 'echo second'], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, 'second\n');
  });

  test('--kill of a missing session: one line, exit 1', async () => {
    await expectOneLine([...clientArgs(sshd), '--kill', 'no-such-session'], /^stayssh: no session named no-such-session/, 1);
  });
});

describe('a server without tmux or screen', () => {
  let sshd: SshdHandle;
  let tmp: TempDir;

  before(async () => {
    tmp = makeTempDir('nomux');
    // The login user's PATH: every program of /usr/bin and /bin but tmux and screen.
    const bin = tmp.join('bin');
    mkdirSync(bin, { mode: 0o755 });
    for (const dir of ['/usr/bin', '/bin']) {
      for (const name of readdirSync(dir)) {
        if (name === 'tmux' || name === 'screen' || existsSync(join(bin, name))) continue;
        symlinkSync(join(dir, name), join(bin, name));
      }
    }
    chmodSync(tmp.path, 0o755);
    sshd = await startSshd({ setEnv: { PATH: bin } });
  });
  after(async () => {
    await sshd?.close();
    tmp?.close();
  });

  test('an interactive session says so in one line and exits 255', async () => {
    const env = isolatedClientEnv(tmp.join('client'));
    const r = await runStayssh([...clientArgs(sshd, { extra: ['-tt'] })], { env });
    assert.match(singleErrorLine(r.stderr), /^stayssh: neither tmux nor screen found on the server/);
    assert.equal(r.code, 255);
  });

  test('stream mode needs neither: a command still runs', async () => {
    const env = isolatedClientEnv(tmp.join('client2'));
    const r = await runStayssh([...clientArgs(sshd), 'echo works without a multiplexer; exit 4'], { env });
    assert.equal(r.stdout, 'works without a multiplexer\n');
    assert.equal(r.code, 4);
  });
});
