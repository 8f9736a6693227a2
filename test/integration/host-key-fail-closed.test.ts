// docs/BEHAVIOUR.md §7, security settings fail closed, against a real OpenSSH sshd, with
// the system's `ssh` as the oracle where OpenSSH can do the same: a key listed in the
// RevokedHostKeys file is refused (OpenSSH's "Host key ... revoked by file ..." line,
// exit 255) even when known_hosts holds it and StrictHostKeyChecking is no; a list that
// does not hold it is honoured, not refused; a KRL and a missing file are refused with one
// line; an @revoked line is refused; a host covered by an @cert-authority line is never
// trusted on first use (ssh2 cannot verify host certificates), while a pinned plain key
// still works; and a ProxyJump hop goes through the same checks under its own settings.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { runOk, run } from '../harness/run.js';
import { clientArgs, isolatedClientEnv } from '../harness/ssh-client.js';
import { startSshd, type SshdHandle } from '../harness/sshd.js';
import { generateKey, knownHostsEntry, type KeyPair } from '../harness/keys.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';
import { runStayssh, singleErrorLine } from '../harness/stayssh-cli.js';

describe('host keys: revocations and certificate authorities fail closed', () => {
  let sshd: SshdHandle;
  let tmp: TempDir;
  let env: NodeJS.ProcessEnv;
  let other: KeyPair;
  let ca: KeyPair;
  /** The server's host key, public, in a file of its own (for ssh-keygen). */
  let serverPub: string;
  /** As ssh-keygen -l prints it: the oracle for stayssh's message. */
  let fingerprint: string;
  let files = 0;

  before(async () => {
    sshd = await startSshd();
    tmp = makeTempDir('failclosed');
    env = isolatedClientEnv(tmp.path);
    other = await generateKey(tmp.join('other'));
    ca = await generateKey(tmp.join('ca'));
    serverPub = tmp.join('server_host_key.pub');
    writeFileSync(serverPub, `${sshd.hostKeyPub}\n`);
    const listed = await runOk('ssh-keygen', ['-l', '-E', 'sha256', '-f', serverPub]);
    fingerprint = /SHA256:\S+/.exec(listed)?.[0] ?? assert.fail(`no fingerprint in: ${listed}`);
  });
  after(async () => {
    await sshd?.close();
    tmp?.close();
  });

  function file(content: string): string {
    const path = tmp.join(`file-${++files}`);
    writeFileSync(path, content);
    return path;
  }

  /** stayssh and ssh with the same arguments: exit status and stderr of each. */
  async function both(args: string[]) {
    const [stayssh, ssh] = await Promise.all([runStayssh(args, { env }), run('ssh', args, { env })]);
    return { stayssh, ssh };
  }

  test('a key in the RevokedHostKeys list is refused with OpenSSH\'s line and 255, though known_hosts holds it and StrictHostKeyChecking is no', async () => {
    const list = file(`# keys revoked after the incident\n\n${other.publicLine}\n   ${sshd.hostKeyPub}\n`);
    const { stayssh, ssh } = await both([...clientArgs(sshd, { strictHostKeyChecking: 'no', options: { RevokedHostKeys: list } }), 'echo should-not-run']);
    assert.equal(stayssh.code, 255);
    assert.equal(stayssh.stdout, '');
    assert.equal(singleErrorLine(stayssh.stderr), `stayssh: Host key ED25519 ${fingerprint} revoked by file ${list}; host key verification failed`);
    assert.equal(ssh.code, 255, 'OpenSSH refuses it too');
    assert.match(ssh.stderr, new RegExp(`Host key ED25519 ${fingerprint.replace(/[+/]/g, '\\$&')} revoked by file ${list}`));
  });

  test('a RevokedHostKeys list without the server\'s key is honoured: the login works', async () => {
    const list = file(`${other.publicLine}\n`);
    const r = await runStayssh([...clientArgs(sshd, { options: { RevokedHostKeys: list } }), 'echo logged-in'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'logged-in\n');
  });

  test('a KRL cannot be read: one line naming the setting and the file, 255', async () => {
    const krl = tmp.join('revoked.krl');
    await runOk('ssh-keygen', ['-q', '-k', '-f', krl, serverPub]);
    const { stayssh, ssh } = await both([...clientArgs(sshd, { strictHostKeyChecking: 'no', options: { RevokedHostKeys: krl } }), 'echo should-not-run']);
    assert.equal(stayssh.code, 255);
    assert.equal(stayssh.stdout, '');
    assert.match(singleErrorLine(stayssh.stderr), new RegExp(`^stayssh: RevokedHostKeys file ${krl} is a KRL \\(binary key revocation list\\), which stayssh cannot read`));
    assert.equal(ssh.code, 255, 'OpenSSH reads the KRL and refuses the key');
  });

  test('a missing RevokedHostKeys file refuses the connection, as in OpenSSH: one line, 255', async () => {
    const missing = tmp.join('no-such-revoked-list');
    const { stayssh, ssh } = await both([...clientArgs(sshd, { options: { RevokedHostKeys: missing } }), 'echo should-not-run']);
    assert.equal(stayssh.code, 255);
    assert.equal(singleErrorLine(stayssh.stderr), `stayssh: cannot read RevokedHostKeys file ${missing}: no such file or directory; refusing to connect to 127.0.0.1`);
    assert.equal(ssh.code, 255);
    assert.match(ssh.stderr, /Error checking host key .* in revoked keys file/);
  });

  test('an @revoked line in known_hosts is refused under StrictHostKeyChecking=no', async () => {
    const line = knownHostsEntry('127.0.0.1', sshd.port, sshd.hostKeyPub);
    const kh = file(`${line}\n@revoked ${line}\n`);
    const r = await runStayssh([...clientArgs(sshd, { knownHostsFile: kh, strictHostKeyChecking: 'no' }), 'echo should-not-run'], { env });
    assert.equal(r.code, 255);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /REVOKED HOST KEY DETECTED/);
    assert.equal(r.stderr.trim().split('\n').at(-1), 'stayssh: host key for 127.0.0.1 is revoked; refusing to connect');
  });

  test('a host an @cert-authority line covers: refused with one line, never accepted as new; its pinned plain key still works', async () => {
    const caLine = `@cert-authority [127.0.0.1]:${sshd.port} ${ca.publicLine}`;
    const content = `${caLine}\n`;
    const kh = file(content);
    for (const strict of ['accept-new', 'no'] as const) {
      const r = await runStayssh([...clientArgs(sshd, { knownHostsFile: kh, strictHostKeyChecking: strict }), 'echo should-not-run'], { env });
      assert.equal(r.code, 255, strict);
      assert.equal(r.stdout, '');
      assert.equal(singleErrorLine(r.stderr),
        `stayssh: host certificates are not supported (@cert-authority in ${kh}:1 covers [127.0.0.1]:${sshd.port}); add the host's key to known_hosts to connect`);
      assert.equal(readFileSync(kh, 'utf8'), content, 'the key was not added');
    }
    const pinned = file(`${caLine}\n${knownHostsEntry('127.0.0.1', sshd.port, sshd.hostKeyPub)}\n`);
    const r = await runStayssh([...clientArgs(sshd, { knownHostsFile: pinned }), 'echo pinned-works'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'pinned-works\n');
  });

  test('a ProxyJump hop goes through the same gate, with its own RevokedHostKeys', async () => {
    const list = file(`${sshd.hostKeyPub}\n`);
    const config = file([
      // The same sshd under two names: only the jump host's block revokes its key.
      'Host jump', '  HostName 127.0.0.1', `  Port ${sshd.port}`, `  RevokedHostKeys ${list}`,
      'Host target', '  HostName 127.0.0.1', `  Port ${sshd.port}`, '  ProxyJump jump',
      'Host *', `  User ${sshd.user}`, `  IdentityFile ${sshd.clientKeyPath}`, '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${sshd.knownHostsPath}`, '  GlobalKnownHostsFile /dev/null', '  StrictHostKeyChecking yes',
      '  BatchMode yes', '  ConnectTimeout 10', '',
    ].join('\n'));
    const r = await runStayssh(['-F', config, 'target', 'echo should-not-run'], { env });
    assert.equal(r.code, 255);
    assert.equal(r.stdout, '');
    assert.equal(singleErrorLine(r.stderr), `stayssh: jump host jump (hop 1 of 1): Host key ED25519 ${fingerprint} revoked by file ${list}; host key verification failed`);
    const direct = await runStayssh(['-F', config, '-o', 'ProxyJump=none', 'target', 'echo target-itself-is-fine'], { env });
    assert.equal(direct.code, 0, direct.stderr);
    assert.equal(direct.stdout, 'target-itself-is-fine\n');
  });
});
