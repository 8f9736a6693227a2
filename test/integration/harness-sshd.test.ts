// The harness sshd is a real OpenSSH server that the system `ssh` client can use with a
// key, a password, a passphrase-protected key and keyboard-interactive (PAM); its restart
// with a new host key is caught by StrictHostKeyChecking; close() leaves no process behind.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { isAlive } from '../harness/process-tree.js';
import { run, start } from '../harness/run.js';
import { askpassEnv, clientArgs, isolatedClientEnv } from '../harness/ssh-client.js';
import { startSshd, type SshdHandle } from '../harness/sshd.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';
import { waitFor } from '../harness/wait-for.js';
import { loginPassword } from '../harness/login-user.js';
import { needs } from '../harness/requirements.js';

describe('harness sshd', () => {
  let sshd: SshdHandle;
  let tmp: TempDir;

  before(async () => {
    tmp = makeTempDir('test-sshd');
    sshd = await startSshd();
  });
  after(async () => {
    await sshd?.close();
    tmp?.close();
  });

  it('logs in with the client key and returns the command exit status', async () => {
    const result = await run('ssh', [...clientArgs(sshd), 'echo "user=$(id -un)"; exit 3'], { env: isolatedClientEnv(tmp.path) });
    assert.equal(result.stdout, `user=${sshd.user}\n`, result.stderr);
    assert.equal(result.code, 3);
    assert.match(sshd.logText(), /Accepted publickey for/);
  });

  it('logs in with the password through SSH_ASKPASS', needs('root'), async () => {
    const password = loginPassword(sshd);
    const env = isolatedClientEnv(tmp.path, askpassEnv(tmp.path, password));
    const args = clientArgs(sshd, { identity: null, batchMode: false, options: { PreferredAuthentications: 'password' } });
    const result = await run('ssh', [...args, 'echo password-ok'], { env });
    assert.equal(result.stdout, 'password-ok\n', result.stderr);
    assert.match(sshd.logText(), /Accepted password for/);
  });

  it('logs in with the passphrase-protected key', async () => {
    const env = isolatedClientEnv(tmp.path, askpassEnv(tmp.path, sshd.passphrase));
    const args = clientArgs(sshd, { identity: sshd.encryptedClientKeyPath, batchMode: false });
    const result = await run('ssh', [...args, 'echo passphrase-ok'], { env });
    assert.equal(result.stdout, 'passphrase-ok\n', result.stderr);
  });

  it('gives sessions tmux, screen, LANG and the isolated home the harness inspects', async () => {
    const env = isolatedClientEnv(tmp.path, { LANG: 'C.UTF-8' });
    const args = clientArgs(sshd, { options: { SendEnv: 'LANG' } });
    const result = await run('ssh', [...args, 'command -v tmux; command -v screen >/dev/null && echo screen; echo "$LANG $HOME"; touch "$HOME/marker"'], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /tmux\nscreen\n/);
    assert.match(result.stdout, new RegExp(`C\\.UTF-8 ${sshd.userHome}\\n`));
    const seen = await sshd.runAsUser('test -f "$HOME/marker" && id -un && mkdir -p "$HOME/.local/state" && echo writable');
    assert.equal(seen.stdout, `${sshd.user}\nwritable\n`, seen.stderr);
  });

  it('after a restart with a new host key, ssh refuses with REMOTE HOST IDENTIFICATION HAS CHANGED', async () => {
    const oldKey = sshd.hostKeyPub;
    const oldKeyPaths = [...sshd.hostKeyPaths];
    const port = sshd.port;
    await sshd.restart({ hostKey: 'new' });
    assert.equal(sshd.port, port);
    assert.notEqual(sshd.hostKeyPub, oldKey);
    const result = await run('ssh', [...clientArgs(sshd), 'echo should-not-run'], { env: isolatedClientEnv(tmp.path) });
    assert.equal(result.code, 255);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED/);
    // And with the new key known, the restarted server works.
    const known = tmp.join('known_hosts_new');
    writeFileSync(known, `${sshd.knownHostsLine()}\n`);
    const ok = await run('ssh', [...clientArgs(sshd, { knownHostsFile: known }), 'echo new-key-ok'], { env: isolatedClientEnv(tmp.path) });
    assert.equal(ok.stdout, 'new-key-ok\n', ok.stderr);
    // A given key: back to the original one, and the original known_hosts works again.
    await sshd.restart({ hostKeyPaths: oldKeyPaths });
    assert.equal(sshd.hostKeyPub.split(' ').slice(0, 2).join(' '), oldKey.split(' ').slice(0, 2).join(' '));
    const back = await run('ssh', [...clientArgs(sshd), 'echo old-key-ok'], { env: isolatedClientEnv(tmp.path) });
    assert.equal(back.stdout, 'old-key-ok\n', back.stderr);
  });
});

describe('harness sshd with keyboard-interactive (PAM)', () => {
  let sshd: SshdHandle;
  let tmp: TempDir;
  before(async () => {
    tmp = makeTempDir('test-sshd-kbd');
    sshd = await startSshd({ kbdInteractiveAuthentication: true, passwordAuthentication: false });
  });
  after(async () => {
    await sshd?.close();
    tmp?.close();
  });

  it('answers the PAM password prompt', needs('root'), async () => {
    const password = loginPassword(sshd);
    const env = isolatedClientEnv(tmp.path, askpassEnv(tmp.path, password));
    const args = clientArgs(sshd, { identity: null, batchMode: false, options: { PreferredAuthentications: 'keyboard-interactive' } });
    const result = await run('ssh', [...args, 'echo kbd-ok'], { env });
    assert.equal(result.stdout, 'kbd-ok\n', result.stderr);
    assert.match(sshd.logText(), /Accepted keyboard-interactive\/pam for/);
  });
});

describe('harness sshd close()', () => {
  it('ends sessions, their children and the user tmux server', async () => {
    const tmp = makeTempDir('test-sshd-close');
    const sshd = await startSshd({ hostKeyTypes: ['ed25519', 'rsa'] });
    try {
      assert.equal(sshd.knownHostsLine().split('\n').length, 2, 'one known_hosts line per host key');
      assert.match(sshd.hostKeyPubs[1] ?? '', /^ssh-rsa /);
      const ssh = start('ssh', [...clientArgs(sshd), 'tmux -L stayssh new-session -d sleep 1000 && echo ready; exec sleep 1000'], {
        env: isolatedClientEnv(tmp.path),
      });
      await waitFor(() => ssh.stdout().includes('ready'), { what: 'the remote command to start', detail: () => ssh.stderr() });
      const listed = await sshd.runAsUser('tmux -L stayssh list-sessions -F "#{pid}"');
      const tmuxPid = Number(listed.stdout.trim());
      assert.ok(tmuxPid > 0, listed.stderr);
      await sshd.stop(); // Like `systemctl stop ssh`: the session survives...
      assert.ok(isAlive(tmuxPid));
      await sshd.close(); // ...until close().
      assert.ok(!isAlive(tmuxPid), 'the remote tmux server is gone');
      const status = await ssh.exited;
      assert.equal(status.code, 255);
    } finally {
      await sshd.close();
      tmp.close();
    }
  });
});
