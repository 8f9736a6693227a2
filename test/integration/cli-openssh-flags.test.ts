// docs/BEHAVIOUR.md §1 (issue 20, first part): every flag of OpenSSH 9's usage line is
// accepted. Those stayssh honours do what ssh does (-G against `ssh -G` on the same config,
// -V on stderr, -E into a file, -Q, -c/-m, -C and -b against the harness sshd); the
// no-ops (-x -k -y -S none -n, and the -o options scp passes) run a command; those it
// cannot honour end with one line naming the flag and 255, never "unknown option".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startSshd, type SshdHandle } from '../harness/sshd.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';
import { clientArgs, isolatedClientEnv } from '../harness/ssh-client.js';
import { run } from '../harness/run.js';
import { runStayssh, singleErrorLine, startStayssh } from '../harness/stayssh-cli.js';
import { freePort } from '../harness/free-port.js';
import { waitFor } from '../harness/wait-for.js';

/** `keyword value` lines -> keyword -> its values, in order (accumulating keywords repeat). */
function configMap(text: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^(\S+) (.*)$/.exec(line);
    if (!m) continue;
    const [, key = '', value = ''] = m;
    map.set(key, [...(map.get(key) ?? []), value]);
  }
  return map;
}

/** The first line a server at host:port sends, or undefined while nothing listens there. */
function readBanner(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    let text = '';
    sock.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (text.includes('\n')) {
        sock.destroy();
        resolve(text.split('\r')[0]);
      }
    });
    sock.on('error', () => resolve(undefined));
    sock.on('close', () => resolve(undefined));
  });
}

describe('OpenSSH flags', () => {
  let sshd: SshdHandle;
  let tmp: TempDir;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    sshd = await startSshd();
    tmp = makeTempDir('flags');
    env = isolatedClientEnv(tmp.path);
  });
  after(async () => {
    await sshd?.close();
    tmp?.close();
  });

  const refused: Array<[string[], RegExp]> = [
    [['-X'], /^stayssh: -X \(X11 forwarding\) is not supported$/],
    [['-Y'], /^stayssh: -Y \(trusted X11 forwarding\) is not supported$/],
    [['-K'], /^stayssh: -K \(GSSAPI authentication\) is not supported/],
    [['-M'], /^stayssh: -M \(connection sharing\) is not supported/],
    [['-S', '/tmp/ctl'], /^stayssh: -S \(connection sharing socket\) is not supported/],
    [['-O', 'check'], /^stayssh: -O \(.*connection-sharing.*\) is not supported/],
    [['-f'], /^stayssh: -f \(background after login\) is not supported yet/],
    [['-W', 'db:5432'], /^stayssh: -W \(stdio forwarding\) is not supported yet; use -L/],
    [['-s'], /^stayssh: -s \(subsystems: sftp, scp\) is not supported yet/],
    [['-B', 'eth0'], /^stayssh: -B \(binding to a network interface\) is not supported; use -b/],
    [['-I', 'pkcs11.so'], /^stayssh: -I \(PKCS#11 keys\) is not supported/],
    [['-w', '0:0'], /^stayssh: -w \(tun device forwarding\) is not supported/],
  ];
  for (const [flag, pattern] of refused) {
    test(`${flag.join(' ')}: one line naming it, 255, nothing dialed`, async () => {
      // Before the destination and after it (ssh reads flags there too), as scp puts -s.
      for (const args of [[...flag, '127.0.0.1', 'true'], ['127.0.0.1', ...flag, 'true']]) {
        const r = await runStayssh(['-p', '1', ...args], { env });
        assert.match(singleErrorLine(r.stderr), pattern);
        assert.equal(r.code, 255);
        assert.equal(r.stdout, '');
      }
    });
  }

  test('the no-op flags and the -o options scp passes run a command', async () => {
    const r = await runStayssh([
      '-x', '-k', '-y', '-S', 'none',
      '-oPermitLocalCommand=no', '-oClearAllForwardings=yes', '-oRemoteCommand=none', '-oRequestTTY=no',
      '-oControlMaster=no', '-oForwardX11=no', '-oForwardAgent=no',
      ...clientArgs(sshd), 'echo', 'no-ops-ok',
    ], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'no-ops-ok\n');
  });

  test('-n: stdin from /dev/null (the command reads EOF, not what was piped in)', async () => {
    const r = await runStayssh(['-n', ...clientArgs(sshd), 'cat; echo after-eof'], { env, input: 'must-not-arrive\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'after-eof\n');
  });

  test('-V prints the version on stderr, nothing on stdout, exit 0', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = await runStayssh(['-V'], { env });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `stayssh ${pkg.version}\n`);
  });

  test('-G prints what ssh -G prints for the keys both resolve, without connecting', async () => {
    const cfg = join(tmp.path, 'g-config');
    writeFileSync(cfg, [
      'Host work',
      '  HostName Example.ORG',
      '  User alice',
      '  Port 2222',
      `  IdentityFile ${tmp.path}/id_one`,
      `  IdentityFile ${tmp.path}/id_two`,
      '  ProxyJump jump.example.org',
      '  StrictHostKeyChecking accept-new',
      `  UserKnownHostsFile ${tmp.path}/kh1 ${tmp.path}/kh2`,
      '  ServerAliveInterval 7',
      '  ServerAliveCountMax 4',
      '  ConnectTimeout 9',
      '  BatchMode yes',
      '  ForwardAgent yes',
      '  LocalForward 127.0.0.1:8080 db:5432',
      '  LocalForward 8081 [::1]:80',
      '  RemoteForward 9000 localhost:80',
      '  DynamicForward 1080',
      '  AddressFamily inet',
      '  RequestTTY force',
      '  HostKeyAlias work-key',
      '  IdentitiesOnly yes',
      '  PreferredAuthentications publickey,password',
      '  Compression yes',
      '  SendEnv LANG LC_*',
      '',
    ].join('\n'));
    const words = ['-F', cfg, '-l', 'bob', '-o', 'GatewayPorts=yes', '-b', '127.0.0.1', 'work'];
    const ours = await runStayssh(['-G', ...words], { env });
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(ours.stderr, '');
    const theirs = await run('ssh', ['-G', ...words], { env });
    assert.equal(theirs.code, 0, theirs.stderr);
    const a = configMap(ours.stdout);
    const b = configMap(theirs.stdout);
    // ssh2's cipher and MAC lists are not OpenSSH's: `-Q` says which, -c/-m choose.
    const different = new Set(['ciphers', 'macs']);
    const shared = [...a.keys()].filter((k) => b.has(k) && !different.has(k));
    for (const k of shared) assert.deepEqual(a.get(k), b.get(k), `ssh -G and stayssh -G differ on ${k}`);
    for (const k of [
      'host', 'hostname', 'user', 'port', 'identityfile', 'proxyjump', 'stricthostkeychecking', 'userknownhostsfile',
      'serveraliveinterval', 'serveralivecountmax', 'connecttimeout', 'batchmode', 'forwardagent', 'localforward',
      'remoteforward', 'dynamicforward', 'addressfamily', 'requesttty', 'hostkeyalias', 'compression', 'gatewayports',
      'bindaddress', 'identitiesonly', 'preferredauthentications', 'sendenv',
    ]) {
      assert.ok(shared.includes(k), `${k} compared (stayssh printed: ${[...a.keys()].join(' ')})`);
    }
  });

  test('-g: a -L port given no bind address listens on every address, not only loopback', async () => {
    // 127.0.0.2 is loopback too but not 127.0.0.1: reachable only when bound on every address.
    const port = await freePort();
    const tunnel = startStayssh(['-g', '-N', '-L', `${port}:127.0.0.1:${sshd.port}`, ...clientArgs(sshd)], { env });
    try {
      const banner = await waitFor(() => readBanner('127.0.0.2', port), { timeoutMs: 15_000, what: 'an SSH banner through the -g forward' });
      assert.match(banner, /^SSH-2\.0-/);
    } finally {
      tunnel.kill('SIGTERM');
      await tunnel.exited;
    }
  });

  test('-E: the -v lines go to the file, not to stderr', async () => {
    const log = join(tmp.path, 'e.log');
    writeFileSync(log, 'earlier line\n');
    const r = await runStayssh(['-v', '-E', log, ...clientArgs(sshd), 'echo', 'logged'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'logged\n');
    assert.doesNotMatch(r.stderr, /debug1:/);
    const text = readFileSync(log, 'utf8');
    assert.match(text, /^earlier line\n/, 'appended, not replaced');
    assert.match(text, /^debug1: /m);
  });

  test('-E with a file that cannot be opened: one line, 255', async () => {
    const r = await runStayssh(['-E', join(tmp.path, 'no-such-dir', 'x.log'), '-p', '1', '127.0.0.1', 'true'], { env });
    assert.match(singleErrorLine(r.stderr), /^stayssh: -E: cannot open log file .*x\.log: ENOENT$/);
    assert.equal(r.code, 255);
  });

  test('-Q cipher lists the ciphers, one a line; -Q mac, kex, key too; an unknown query: one line, 255', async () => {
    const r = await runStayssh(['-Q', 'cipher'], { env });
    assert.equal(r.code, 0, r.stderr);
    const ciphers = r.stdout.trim().split('\n');
    for (const c of ['aes128-ctr', 'aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com']) assert.ok(ciphers.includes(c), c);
    for (const [query, name] of [['mac', 'hmac-sha2-256'], ['kex', 'curve25519-sha256'], ['key', 'ssh-ed25519'], ['compression', 'zlib@openssh.com']]) {
      const q = await runStayssh(['-Q', query ?? ''], { env });
      assert.equal(q.code, 0, q.stderr);
      assert.ok(q.stdout.split('\n').includes(name ?? ''), `${query}: ${q.stdout}`);
    }
    const bad = await runStayssh(['-Q', 'bogus'], { env });
    assert.match(singleErrorLine(bad.stderr), /^stayssh: Unsupported query "bogus"/);
    assert.equal(bad.code, 255);
  });

  test('-c and -m with a name stayssh cannot use: one line, 255', async () => {
    for (const [flag, name] of [['-c', 'blowfish-cbc'], ['-m', 'umac-64@openssh.com'], ['-c', 'aes128-ctr,nope']]) {
      const r = await runStayssh([flag ?? '', name ?? '', '-p', '1', '127.0.0.1', 'true'], { env });
      assert.match(singleErrorLine(r.stderr), new RegExp(`^stayssh: ${flag}: unsupported (cipher|mac) "`));
      assert.equal(r.code, 255);
    }
  });

  /** ssh2's own debug lines (-vvv), written to a -E file, for what was negotiated. */
  async function negotiated(extra: string[]): Promise<string> {
    const log = join(tmp.path, `neg-${extra.join('').replace(/[^A-Za-z0-9]/g, '')}.log`);
    const r = await runStayssh(['-vvv', '-E', log, ...extra, ...clientArgs(sshd), 'echo', 'negotiated'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'negotiated\n');
    return readFileSync(log, 'utf8');
  }

  test('-c and -m choose the cipher and MAC against sshd', async () => {
    const log = await negotiated(['-c', 'aes256-ctr', '-m', 'hmac-sha2-512']);
    assert.match(log, /Handshake: C->S Cipher: aes256-ctr/);
    assert.match(log, /Handshake: C->S MAC: hmac-sha2-512/);
  });

  test('-C compresses the link against sshd (zlib@openssh.com)', async () => {
    const log = await negotiated(['-C']);
    assert.match(log, /Handshake: C->S compression: zlib@openssh\.com/);
    assert.match(log, /Handshake: S->C compression: zlib@openssh\.com/);
    // Without -C nothing is compressed, as with ssh.
    assert.match(await negotiated([]), /Handshake: C->S compression: none/);
  });

  test('-b: the connection is made from that local address', async () => {
    const r = await runStayssh(['-b', '127.0.0.2', ...clientArgs(sshd), 'echo ${SSH_CLIENT%% *}'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '127.0.0.2\n');
    // An address this machine does not have: the dial fails with one line, 255.
    const bad = await runStayssh(['-b', '192.0.2.1', ...clientArgs(sshd), 'true'], { env });
    assert.match(singleErrorLine(bad.stderr), /^stayssh: .*(address not available|EADDRNOTAVAIL|cannot assign)/i);
    assert.equal(bad.code, 255);
  });
});
