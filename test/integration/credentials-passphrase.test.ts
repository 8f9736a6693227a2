// An encrypted private key (issue 7): the passphrase is asked once, stored with --remember
// (under `passphrase:<absolute path>`), used without asking by the next run, and removed by
// --forget for a destination that uses that key. Real sshd, real Secret Service.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { startSshd, type SshdHandle } from '../harness/sshd.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';
import { clientArgs, isolatedClientEnv } from '../harness/ssh-client.js';
import { runOk } from '../harness/run.js';
import { startTerminal, type Terminal } from '../harness/terminal.js';
import { runStayssh, staysshCommandLine } from '../harness/stayssh-cli.js';
import { startSecretService, type SecretService } from '../harness/secret-service.js';

const PHRASE = 'correct horse battery staple';

describe('encrypted key passphrases and the keychain', () => {
  let sshd: SshdHandle;
  let keyring: SecretService;
  let tmp: TempDir;
  let env: Record<string, string>;
  let keyPath: string;
  const terminals: Terminal[] = [];

  before(async () => {
    sshd = await startSshd();
    keyring = await startSecretService();
    tmp = makeTempDir('cred-key');
    env = { ...(isolatedClientEnv(tmp.path) as Record<string, string>), ...keyring.env };
    keyPath = tmp.join('id_encrypted');
    copyFileSync(sshd.clientKeyPath, keyPath);
    await runOk('ssh-keygen', ['-q', '-p', '-P', '', '-N', PHRASE, '-f', keyPath]);
  });
  after(async () => {
    for (const t of terminals) await t.close();
    await keyring?.close();
    await sshd?.close();
    tmp?.close();
  });

  const args = (extra: string[] = []) => clientArgs(sshd, { identity: keyPath, batchMode: false, extra });

  test('asked once, stored with --remember, not asked by the next run, removed by --forget', async () => {
    const first = await startTerminal({ command: staysshCommandLine([...args(['--remember']), 'echo key-ok-$((6*7))']), env });
    terminals.push(first);
    await first.waitForText(`Enter passphrase for key '${keyPath}':`, { timeoutMs: 15_000 });
    await first.type(PHRASE);
    await first.press('Enter');
    await first.waitForText('key-ok-42', { timeoutMs: 15_000 });
    assert.deepEqual(await first.waitForExit(), { code: 0, signal: null });
    assert.equal(await keyring.lookup(`passphrase:${keyPath}`), PHRASE);

    const second = await runStayssh([...args(), 'echo again-$((6*7))'], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, 'again-42\n');

    const forget = await runStayssh(['--forget', ...args()], { env });
    assert.equal(forget.code, 0, forget.stderr);
    assert.equal(forget.stdout, `stayssh: forgot passphrase of ${keyPath} for ${sshd.user}@127.0.0.1:${sshd.port}\n`);
    assert.equal(await keyring.lookup(`passphrase:${keyPath}`), undefined);
  });
});
