import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempHome, resolveIn } from '../harness/config-home.js';

const FIXTURE = join(fileURLToPath(import.meta.url), '../../../../fixtures/config/realistic-ssh-config');

describe('resolveSshConfig: defaults', () => {
  it('applies OpenSSH defaults when no file says anything', () => {
    const t = tempHome();
    const c = resolveIn(t, 'Example.ORG');
    assert.equal(c.originalHost, 'Example.ORG');
    assert.equal(c.hostName, 'example.org', 'ssh lower-cases the host name');
    assert.equal(c.port, 22);
    assert.equal(c.user, 'alice');
    assert.deepEqual(c.identityFiles, ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_dsa']
      .map((n) => join(t.home, '.ssh', n)));
    assert.equal(c.identityFilesExplicit, false);
    assert.deepEqual(c.userKnownHostsFiles, [join(t.home, '.ssh/known_hosts'), join(t.home, '.ssh/known_hosts2')]);
    assert.deepEqual(c.globalKnownHostsFiles, ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']);
    assert.equal(c.strictHostKeyChecking, 'ask');
    assert.equal(c.serverAliveInterval, 0);
    assert.equal(c.serverAliveIntervalSet, false);
    assert.equal(c.serverAliveCountMax, 3);
    assert.equal(c.serverAliveCountMaxSet, false);
    assert.equal(c.connectTimeout, undefined);
    assert.deepEqual(c.preferredAuthentications, ['publickey', 'keyboard-interactive', 'password']);
    assert.equal(c.escapeChar, '~');
    assert.equal(c.requestTTY, 'auto');
    assert.equal(c.addressFamily, 'any');
    assert.equal(c.logLevel, 'INFO');
    assert.equal(c.forwardAgent, false);
    assert.equal(c.identityAgent, undefined);
    assert.equal(c.proxyJump, undefined);
    assert.equal(c.hashKnownHosts, false);
    assert.equal(c.batchMode, false);
    assert.equal(c.passwordAuthentication && c.pubkeyAuthentication && c.kbdInteractiveAuthentication, true);
    assert.deepEqual([c.localForwards, c.remoteForwards, c.dynamicForwards, c.sendEnv, c.setEnv, c.ignoredKeywords],
      [[], [], [], [], [], []]);
  });
});

describe('resolveSshConfig: a realistic ~/.ssh/config', () => {
  const t = tempHome();
  t.write('.ssh/config', readFileSync(FIXTURE, 'utf8'));

  it('resolves a jump-hosted internal machine', () => {
    const c = resolveIn(t, 'api.internal');
    assert.equal(c.hostName, 'api.internal');
    assert.equal(c.user, 'deploy');
    assert.equal(c.proxyJump, 'bastion');
    assert.deepEqual(c.identityFiles, [join(t.home, '.ssh/api.internal_deploy')]);
    assert.equal(c.identityFilesExplicit, true);
    assert.deepEqual(c.localForwards, [
      { listenPort: 5432, connectHost: 'db.internal', connectPort: 5432 },
      { bindAddress: '::1', listenPort: 6379, connectHost: 'fd00::7', connectPort: 6379 },
    ]);
    assert.equal(c.serverAliveInterval, 15);
    assert.equal(c.strictHostKeyChecking, 'accept-new');
    assert.equal(c.hashKnownHosts, true);
    assert.deepEqual(c.userKnownHostsFiles, [join(t.home, '.ssh/known_hosts'), join(t.home, '.ssh/known_hosts.d/api.internal')]);
    assert.deepEqual(c.preferredAuthentications, ['publickey', 'password']);
    assert.deepEqual(c.ignoredKeywords, ['ControlMaster', 'ControlPath', 'ControlPersist', 'ForwardX11']);
  });

  it('a negated Host pattern keeps the block away from that host', () => {
    const c = resolveIn(t, 'legacy.internal');
    assert.equal(c.user, 'root');
    assert.equal(c.proxyJump, undefined);
    assert.equal(c.identityFilesExplicit, false);
    assert.deepEqual(c.ignoredKeywords.slice(0, 2), ['HostKeyAlgorithms', 'PubkeyAcceptedAlgorithms']);
  });

  it('resolves the jump host itself, and %h in HostName is the typed name', () => {
    const b = resolveIn(t, 'bastion');
    assert.deepEqual([b.hostName, b.user, b.port, b.identitiesOnly], ['bastion.corp.example.com', 'ops', 2202, true]);
    const d = resolveIn(t, 'dev');
    assert.equal(d.hostName, 'dev.dev.example.com');
    assert.equal(d.requestTTY, 'force');
    assert.deepEqual(d.setEnv, [['EDITOR', 'vim'], ['GREETING', 'hello world']]);
    assert.deepEqual(d.sendEnv, ['LANG', 'LC_*']);
    assert.deepEqual(d.dynamicForwards, [{ bindAddress: 'localhost', listenPort: 1080 }]);
    assert.deepEqual(d.remoteForwards, [{ listenPort: 9000, connectHost: 'localhost', connectPort: 3000 }]);
  });

  it('Match host sees the HostName obtained so far; Match user sees the command-line user', () => {
    const d = resolveIn(t, 'dev');
    assert.equal(d.serverAliveInterval, 60);
    assert.equal(d.serverAliveCountMax, 5);
    assert.equal(d.serverAliveCountMaxSet, true);
    const asBob = resolveIn(t, 'dev', { user: 'bob' });
    assert.equal(asBob.user, 'bob');
    assert.equal(asBob.serverAliveInterval, 15, 'Match user alice no longer holds');
  });

  it('IgnoreUnknown lets a later unknown keyword pass', () => {
    assert.doesNotThrow(() => resolveIn(t, 'anything'));
  });
});

describe('resolveSshConfig: precedence', () => {
  it('command line, then user file, then system file; first value wins', () => {
    const t = tempHome();
    t.write('.ssh/config', 'Host *\n  User fromuser\n  Port 2000\n  ConnectTimeout 5\n');
    t.write('etc-ssh/ssh_config', 'Host *\n  User fromsystem\n  Port 3000\n  BatchMode yes\n  ConnectTimeout 9\n');
    const c = resolveIn(t, 'h', { commandLine: [['ConnectTimeout', '1m']] });
    assert.deepEqual([c.user, c.port, c.batchMode, c.connectTimeout], ['fromuser', 2000, true, 60]);
    const d = resolveIn(t, 'h', { user: 'typed', port: 2222 });
    assert.deepEqual([d.user, d.port], ['typed', 2222]);
  });

  it('an earlier -o User/Port beats user@host and -p, as in ssh', () => {
    const t = tempHome();
    const c = resolveIn(t, 'h', { user: 'typed', port: 2222, commandLine: [['User', 'fromo'], ['Port', '2']] });
    assert.deepEqual([c.user, c.port], ['fromo', 2]);
  });

  it('within a file the first matching block wins, later blocks only fill gaps', () => {
    const t = tempHome();
    t.write('.ssh/config', 'Host h\n  User first\nHost h\n  User second\n  Port 2200\n');
    const c = resolveIn(t, 'h');
    assert.deepEqual([c.user, c.port], ['first', 2200]);
  });

  it('accumulates IdentityFile, forwards and SendEnv across sources in order, without duplicates', () => {
    const t = tempHome();
    t.write('.ssh/config', 'IdentityFile ~/.ssh/a\nIdentityFile ~/.ssh/b\nIdentityFile ~/.ssh/a\nLocalForward 1 h:1\nSendEnv A B\n');
    t.write('etc-ssh/ssh_config', 'IdentityFile /etc/c\nLocalForward 2 h:2\nSendEnv C -A\n');
    const c = resolveIn(t, 'x', {
      commandLine: [['IdentityFile', '/cli/id'], ['LocalForward', '3:h:3'], ['SendEnv', 'CLI']],
    });
    assert.deepEqual(c.identityFiles, ['/cli/id', join(t.home, '.ssh/a'), join(t.home, '.ssh/b'), '/etc/c']);
    assert.deepEqual(c.localForwards.map((f) => f.listenPort), [3, 1, 2]);
    assert.deepEqual(c.sendEnv, ['CLI', 'B', 'C'], '-A removes A sent so far');
  });

  it('SetEnv: the first SetEnv line obtained wins whole (OpenSSH 9.x), first value of a name within it', () => {
    const t = tempHome();
    t.write('.ssh/config', 'SetEnv A=1 B=2\nSetEnv C=3\n');
    assert.deepEqual(resolveIn(t, 'h').setEnv, [['A', '1'], ['B', '2']]);
    assert.deepEqual(resolveIn(t, 'h', { commandLine: [['SetEnv', 'D=4 D=5 E=']] }).setEnv, [['D', '4'], ['E', '']]);
  });

  it('ClearAllForwardings drops every forward', () => {
    const t = tempHome();
    t.write('.ssh/config', 'LocalForward 1 h:1\nDynamicForward 1080\n');
    const c = resolveIn(t, 'h', { commandLine: [['ClearAllForwardings', 'yes'], ['RemoteForward', '2:h:2']] });
    assert.deepEqual([c.localForwards, c.remoteForwards, c.dynamicForwards], [[], [], []]);
  });

  it('ProxyJump and ProxyCommand compete: the first obtained wins', () => {
    const t = tempHome();
    t.write('.ssh/config', 'Host a\n  ProxyCommand ssh -W %h:%p gw\nHost *\n  ProxyJump j1\n');
    const a = resolveIn(t, 'a');
    assert.equal(a.proxyJump, undefined);
    assert.equal(a.proxyCommand, 'ssh -W %h:%p gw');
    const b = resolveIn(t, 'b');
    assert.equal(b.proxyJump, 'j1');
    assert.equal(b.proxyCommand, undefined);
    const none = resolveIn(t, 'a', { commandLine: [['ProxyJump', 'none']] });
    assert.deepEqual([none.proxyJump, none.proxyCommand], [undefined, undefined]);
  });

  it('-F: a missing file is an error and the system file is not read', () => {
    const t = tempHome();
    t.write('etc-ssh/ssh_config', 'User fromsystem\n');
    const custom = t.write('custom.conf', 'Port 2022\n');
    const c = resolveIn(t, 'h', { userConfigPath: custom });
    assert.deepEqual([c.port, c.user], [2022, 'alice']);
    assert.throws(() => resolveIn(t, 'h', { userConfigPath: join(t.home, 'nope.conf') }),
      { name: 'ConfigError', message: `${join(t.home, 'nope.conf')}:0: cannot read config file: no such file` });
  });

  it('a missing ~/.ssh/config or system file is fine', () => {
    const t = tempHome();
    assert.equal(resolveIn(t, 'h', { systemConfigPath: join(t.home, 'none') }).port, 22);
    assert.equal(resolveIn(t, 'h', { userConfigPath: null, systemConfigPath: null }).port, 22);
  });
});

describe('resolveSshConfig: values and tokens', () => {
  it('expands %h %p %r %u %n %d %l %L %i %C %% and ~ and ${VAR} in paths', () => {
    const t = tempHome();
    t.write('.ssh/config', [
      'Host web',
      '  HostName web.example.org',
      '  User bob',
      '  Port 2222',
      '  IdentityFile ~/.ssh/%h-%p-%r-%u-%n',
      '  IdentityFile %d/keys/%l/%L/%i/100%%',
      '  IdentityFile ${KEYDIR}/%C',
      '  IdentityAgent ~/agent.%u',
      '  UserKnownHostsFile ~/kh/%n',
      '  GlobalKnownHostsFile /etc/kh1 /etc/kh2',
    ].join('\n'));
    const c = resolveIn(t, 'web');
    assert.deepEqual(c.identityFiles.slice(0, 2), [
      join(t.home, '.ssh/web.example.org-2222-bob-alice-web'),
      `${t.home}/keys/laptop.example.org/laptop/1000/100%`,
    ]);
    assert.match(c.identityFiles[2] ?? '', /^\/keys\/[0-9a-f]{40}$/);
    assert.equal(c.identityAgent, join(t.home, 'agent.alice'));
    assert.deepEqual(c.userKnownHostsFiles, [join(t.home, 'kh/web')]);
    assert.deepEqual(c.globalKnownHostsFiles, ['/etc/kh1', '/etc/kh2']);
  });

  it('%C is the SHA-1 of %l%h%p%r, like OpenSSH', async () => {
    const { createHash } = await import('node:crypto');
    const t = tempHome();
    const c = resolveIn(t, 'h', { commandLine: [['IdentityFile', '/k/%C']] });
    const expected = createHash('sha1').update('laptop.example.org' + 'h' + '22' + 'alice').digest('hex');
    assert.deepEqual(c.identityFiles, [`/k/${expected}`]);
  });

  it('IdentityAgent none / SSH_AUTH_SOCK / $VAR; ForwardAgent yes, no or a socket', () => {
    const t = tempHome();
    assert.equal(resolveIn(t, 'h', { commandLine: [['IdentityAgent', 'none']] }).identityAgent, 'none');
    assert.equal(resolveIn(t, 'h', { commandLine: [['IdentityAgent', 'SSH_AUTH_SOCK']] }).identityAgent, 'SSH_AUTH_SOCK');
    assert.equal(resolveIn(t, 'h', { commandLine: [['IdentityAgent', '$SSH_AUTH_SOCK']] }).identityAgent, '/tmp/agent.sock');
    assert.equal(resolveIn(t, 'h', { commandLine: [['ForwardAgent', 'yes']] }).forwardAgent, true);
    assert.equal(resolveIn(t, 'h', { commandLine: [['ForwardAgent', 'no'], ['ForwardAgent', 'yes']] }).forwardAgent, false);
    const sock = resolveIn(t, 'h', { commandLine: [['ForwardAgent', '~/fwd.sock']] });
    assert.deepEqual([sock.forwardAgent, sock.forwardAgentSocket], [true, join(t.home, 'fwd.sock')]);
  });

  it('a raw -i path with spaces stays one path; quoted -o values are unquoted', () => {
    const t = tempHome();
    const c = resolveIn(t, 'h', { commandLine: [['IdentityFile', '/my keys/id'], ['IdentityFile', '"/other dir/id"']] });
    assert.deepEqual(c.identityFiles, ['/my keys/id', '/other dir/id']);
  });

  it('reads booleans, enums, times and counts in any case', () => {
    const t = tempHome();
    t.write('.ssh/config', [
      'BATCHMODE True', 'passwordauthentication NO', 'PubkeyAuthentication host-bound',
      'KbdInteractiveAuthentication false', 'StrictHostKeyChecking off', 'RequestTTY yes',
      'AddressFamily inet6', 'LogLevel debug2', 'EscapeChar ^]', 'ServerAliveInterval 0',
      'ServerAliveCountMax 0', 'ExitOnForwardFailure yes', 'ConnectTimeout none', 'HostKeyAlias prod',
    ].join('\n'));
    const c = resolveIn(t, 'h');
    assert.deepEqual(
      [c.batchMode, c.passwordAuthentication, c.pubkeyAuthentication, c.kbdInteractiveAuthentication,
        c.strictHostKeyChecking, c.requestTTY, c.addressFamily, c.logLevel, c.escapeChar],
      [true, false, true, false, 'no', 'yes', 'inet6', 'DEBUG2', '\x1d'],
    );
    assert.deepEqual([c.serverAliveInterval, c.serverAliveIntervalSet, c.serverAliveCountMax, c.serverAliveCountMaxSet],
      [0, true, 0, true]);
    assert.deepEqual([c.exitOnForwardFailure, c.connectTimeout, c.hostKeyAlias], [true, undefined, 'prod']);
  });

  it('flags translated by the CLI: -L/-R/-D in colon form, -4, -e, -A', () => {
    const t = tempHome();
    const c = resolveIn(t, 'h', {
      commandLine: [['LocalForward', '8080:localhost:80'], ['RemoteForward', '[::1]:9000:app:3000'],
        ['DynamicForward', '1080'], ['AddressFamily', 'inet'], ['EscapeChar', 'none'], ['ForwardAgent', 'yes']],
    });
    assert.deepEqual(c.localForwards, [{ listenPort: 8080, connectHost: 'localhost', connectPort: 80 }]);
    assert.deepEqual(c.remoteForwards, [{ bindAddress: '::1', listenPort: 9000, connectHost: 'app', connectPort: 3000 }]);
    assert.deepEqual(c.dynamicForwards, [{ listenPort: 1080 }]);
    assert.deepEqual([c.addressFamily, c.escapeChar, c.forwardAgent], ['inet', 'none', true]);
  });

  it('PreferredAuthentications keeps only the methods stayssh implements, in the given order', () => {
    const t = tempHome();
    const c = resolveIn(t, 'h', { commandLine: [['PreferredAuthentications', 'password,hostbased,Keyboard-Interactive']] });
    assert.deepEqual(c.preferredAuthentications, ['password', 'keyboard-interactive']);
  });

  it('ProxyJump accepts %h %n %p %r', () => {
    const t = tempHome();
    t.write('.ssh/config', 'Host *.lab\n  ProxyJump %r@gw-%n\n');
    assert.equal(resolveIn(t, 'x.lab', { user: 'eve' }).proxyJump, 'eve@gw-x.lab');
  });
});
