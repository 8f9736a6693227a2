import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/errors.js';
import { MAX_INCLUDE_DEPTH } from '../../src/config/config-reader.js';
import { tempHome, resolveIn } from '../harness/config-home.js';

describe('Include', () => {
  it('globs relative to ~/.ssh, in sorted order, skipping dot files', () => {
    const t = tempHome();
    t.write('.ssh/config', 'Include conf.d/*.conf\nUser fallback\n');
    t.write('.ssh/conf.d/20-b.conf', 'User second\nIdentityFile ~/b\n');
    t.write('.ssh/conf.d/10-a.conf', 'Port 1010\nIdentityFile ~/a\n');
    t.write('.ssh/conf.d/.hidden.conf', 'User hidden\n');
    t.write('.ssh/conf.d/notes.txt', 'User txt\n');
    const c = resolveIn(t, 'h');
    assert.deepEqual([c.port, c.user], [1010, 'second']);
    assert.deepEqual(c.identityFiles, [join(t.home, 'a'), join(t.home, 'b')]);
  });

  it('accepts ~ and absolute paths in user files; a missing include is fine', () => {
    const t = tempHome();
    const abs = t.write('elsewhere/x.conf', 'Port 2002\n');
    t.write('.ssh/config', `Include ~/inc/none.conf ~/inc/*.conf\nInclude ${abs}\n`);
    t.write('inc/u.conf', 'User tilde\n');
    const c = resolveIn(t, 'h');
    assert.deepEqual([c.user, c.port], ['tilde', 2002]);
  });

  it('inside a Host block applies only when the block matches, and does not leak its own state', () => {
    const t = tempHome();
    t.write('.ssh/config', 'Host web*\n  Include web.conf\n  Port 8022\nHost *\n  User everyone\n');
    t.write('.ssh/web.conf', 'User webuser\nHost nomatch\n  IdentityFile ~/never\n');
    const web = resolveIn(t, 'web1');
    assert.deepEqual([web.user, web.port, web.identityFilesExplicit], ['webuser', 8022, false],
      'Port after the Include still belongs to Host web*');
    const db = resolveIn(t, 'db1');
    assert.deepEqual([db.user, db.port], ['everyone', 22]);
  });

  it('an inactive Include cannot activate a Host inside it, but its errors still count', () => {
    const t = tempHome();
    t.write('.ssh/config', 'Host other\n  Include inner.conf\n');
    t.write('.ssh/inner.conf', 'Host *\n  User sneaky\n');
    assert.equal(resolveIn(t, 'h').user, 'alice');
    t.write('.ssh/inner.conf', 'Host *\n  Port bad\n');
    assert.throws(() => resolveIn(t, 'h'), { message: `${join(t.sshDir, 'inner.conf')}:2: bad port "bad"` });
  });

  it('relative system Includes resolve against the system directory; ~ is refused there', () => {
    const t = tempHome();
    t.write('etc-ssh/ssh_config', 'Include ssh_config.d/*.conf\n');
    t.write('etc-ssh/ssh_config.d/50-site.conf', 'GSSAPIAuthentication yes\nSendEnv LANG LC_*\nHashKnownHosts yes\n');
    const c = resolveIn(t, 'h');
    assert.deepEqual([c.hashKnownHosts, c.sendEnv, c.ignoredKeywords], [true, ['LANG', 'LC_*'], ['GSSAPIAuthentication']]);
    t.write('etc-ssh/ssh_config', '\nInclude ~/x.conf\n');
    assert.throws(() => resolveIn(t, 'h'), { message: `${t.systemConfig}:2: bad include path ~/x.conf` });
  });

  it(`stops recursion deeper than ${MAX_INCLUDE_DEPTH} levels at the offending line`, () => {
    const t = tempHome();
    t.write('.ssh/config', 'Include loop.conf\n');
    t.write('.ssh/loop.conf', '# includes itself\nInclude loop.conf\n');
    assert.throws(() => resolveIn(t, 'h'), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.message, `${join(t.sshDir, 'loop.conf')}:2: too many recursive configuration includes (more than 16 levels)`);
      return true;
    });
  });

  it('allows exactly 16 nested levels', () => {
    const t = tempHome();
    t.write('.ssh/config', 'Include n1.conf\n');
    for (let i = 1; i < MAX_INCLUDE_DEPTH; i++) t.write(`.ssh/n${i}.conf`, `Include n${i + 1}.conf\n`);
    t.write(`.ssh/n${MAX_INCLUDE_DEPTH}.conf`, 'Port 1616\n');
    assert.equal(resolveIn(t, 'h').port, 1616);
  });

  it('an unreadable included file (a directory) is an error at the Include line', () => {
    const t = tempHome();
    t.write('.ssh/dir.conf/x', '');
    t.write('.ssh/config', 'Include dir.conf\n');
    assert.throws(() => resolveIn(t, 'h'), /config:1: cannot read included file .*dir\.conf: is a directory/);
  });
});

describe('Match', () => {
  it('Match all, originalhost, localuser, user, negation', () => {
    const t = tempHome();
    t.write('.ssh/config', [
      'Host short', '  HostName long.example.com',
      'Match originalhost short localuser alice', '  Port 1001',
      'Match host long.example.com !user root', '  User matched',
      'Match all', '  ConnectTimeout 7',
    ].join('\n'));
    const c = resolveIn(t, 'short');
    assert.deepEqual([c.port, c.user, c.connectTimeout], [1001, 'matched', 7]);
    const asRoot = resolveIn(t, 'short', { user: 'root' });
    assert.equal(asRoot.user, 'root');
    const other = resolveIn(t, 'short', { localUser: 'carol' });
    assert.equal(other.port, 22);
  });

  it('Match host uses comma pattern lists with ! vetoes, case-insensitively', () => {
    const t = tempHome();
    t.write('.ssh/config', 'Match host *.example.com,!bad.example.com\n  User fleet\n');
    assert.equal(resolveIn(t, 'Good.Example.com').user, 'fleet');
    assert.equal(resolveIn(t, 'bad.example.com').user, 'alice');
  });

  it('Host matching is case-sensitive on the typed name, like OpenSSH', () => {
    const t = tempHome();
    t.write('.ssh/config', 'Host foo\n  User lower\n');
    assert.equal(resolveIn(t, 'foo').user, 'lower');
    assert.equal(resolveIn(t, 'FOO').user, 'alice');
  });

  it('Match exec never runs anything: it is refused with file:line, negated or not', () => {
    for (const line of ['Match exec "touch MARKER"', 'Match !exec "touch MARKER"', 'Match host h exec "touch MARKER"']) {
      const t = tempHome();
      const marker = join(t.home, 'exec-ran');
      t.write('.ssh/config', ['Host *', '  Port 2222', line.replace('MARKER', marker), '  StrictHostKeyChecking yes'].join('\n'));
      assert.throws(() => resolveIn(t, 'h'), /config:3: Match exec is not supported: stayssh runs no command/, line);
      assert.equal(existsSync(marker), false, 'no shell ran');
    }
  });

  it('Match localnetwork is not evaluated: its block does not apply, and -v names it', () => {
    const t = tempHome();
    t.write('.ssh/config', ['Match localnetwork 10.0.0.0/8', '  BatchMode yes'].join('\n'));
    const c = resolveIn(t, 'h');
    assert.equal(c.batchMode, false);
    assert.deepEqual(c.ignoredKeywords, ['Match localnetwork']);
  });

  it('KnownHostsCommand is refused, not ignored; "none" is fine', () => {
    const t = tempHome();
    t.write('.ssh/config', 'Host h\n  KnownHostsCommand /usr/local/bin/keys %H\n');
    assert.throws(() => resolveIn(t, 'h'), /config:2: stayssh does not support KnownHostsCommand/);
    t.write('.ssh/config', 'Host other\n  KnownHostsCommand /usr/local/bin/keys %H\nHost h\n  KnownHostsCommand none\n');
    assert.equal(resolveIn(t, 'h').port, 22, 'an inactive block or "none" is fine');
  });

  it('RevokedHostKeys: the path with ~, ${VAR} and tokens expanded; first obtained wins; "none" is none', () => {
    const t = tempHome();
    t.write('.ssh/config', 'Host h\n  RevokedHostKeys ~/.ssh/revoked-%h-%r\nHost *\n  RevokedHostKeys /etc/ssh/revoked\n');
    assert.equal(resolveIn(t, 'h').revokedHostKeys, `${t.home}/.ssh/revoked-h-alice`);
    t.write('.ssh/config', 'Host h\n  RevokedHostKeys ${KEYDIR}/revoked\n');
    assert.equal(resolveIn(t, 'h').revokedHostKeys, '/keys/revoked');
    t.write('.ssh/config', 'Host h\n  RevokedHostKeys none\nHost *\n  RevokedHostKeys /etc/ssh/revoked\n');
    assert.equal(resolveIn(t, 'h').revokedHostKeys, undefined, '"none" obtained first wins');
    assert.equal(resolveIn(t, 'other').revokedHostKeys, '/etc/ssh/revoked');
    assert.equal(resolveIn(t, 'h', { commandLine: [['RevokedHostKeys', '/cli/revoked']] }).revokedHostKeys, '/cli/revoked');
    t.write('.ssh/config', 'Host h\n  RevokedHostKeys /a /b\n');
    assert.throws(() => resolveIn(t, 'h'), /config:2: keyword RevokedHostKeys extra arguments/);
  });

  it('Match canonical / final are false, so their negations are true', () => {
    const t = tempHome();
    t.write('.ssh/config', 'Match final\n  User f\nMatch canonical\n  User c\nMatch !final\n  Port 7\n');
    const c = resolveIn(t, 'h');
    assert.deepEqual([c.user, c.port], ['alice', 7]);
  });

  it('Match tagged follows Tag', () => {
    const t = tempHome();
    t.write('.ssh/config', 'Match tagged prod\n  User produser\n');
    assert.equal(resolveIn(t, 'h', { commandLine: [['Tag', 'prod']] }).user, 'produser');
    assert.equal(resolveIn(t, 'h').user, 'alice');
  });
});
