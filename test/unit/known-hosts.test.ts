import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  appendKnownHost, checkHostKey, fingerprintSha256, keyTypeOf, knownHostKeyTypes, knownHostsName, type HostKey,
} from '../../src/config/known-hosts.js';
import { hashHostName, hashedEntryMatches } from '../../src/config/hashed-host.js';

const dir = mkdtempSync(join(tmpdir(), 'stayssh-kh-'));

interface GeneratedKey extends HostKey {
  pubLine: string;
  pubPath: string;
}

/** A fresh key from ssh-keygen itself, so the tests check against OpenSSH's own encoding. */
function generate(name: string, type: string): GeneratedKey {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-t', type, '-N', '', '-f', path, '-q', '-C', 'test']);
  const pubLine = readFileSync(`${path}.pub`, 'utf8').trim();
  const [keyType, base64] = pubLine.split(' ');
  return { type: keyType ?? '', blob: Buffer.from(base64 ?? '', 'base64'), pubLine, pubPath: `${path}.pub` };
}

/** `ssh-keygen -F name -f file`: the lines OpenSSH finds for name (hashed or not). */
function opensshFinds(file: string, name: string): string[] {
  const r = spawnSync('ssh-keygen', ['-F', name, '-f', file], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

let ed: GeneratedKey;
let ed2: GeneratedKey;
let ecdsa: GeneratedKey;

before(() => {
  ed = generate('ed', 'ed25519');
  ed2 = generate('ed2', 'ed25519');
  ecdsa = generate('ec', 'ecdsa');
});

function knownHosts(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function line(hosts: string, key: GeneratedKey, marker = ''): string {
  return `${marker}${marker ? ' ' : ''}${hosts} ${key.type} ${key.blob.toString('base64')}\n`;
}

describe('host key helpers', () => {
  it('keyTypeOf reads the type inside the blob', () => {
    assert.equal(keyTypeOf(ed.blob), 'ssh-ed25519');
    assert.equal(keyTypeOf(ecdsa.blob), 'ecdsa-sha2-nistp256');
    assert.throws(() => keyTypeOf(Buffer.from([0, 0, 0, 9, 1])), /malformed public key/);
    assert.throws(() => keyTypeOf(Buffer.alloc(2)), /malformed public key/);
  });

  it('fingerprintSha256 equals ssh-keygen -lf', () => {
    for (const key of [ed, ecdsa]) {
      const printed = execFileSync('ssh-keygen', ['-lf', key.pubPath], { encoding: 'utf8' }).split(' ')[1];
      assert.equal(fingerprintSha256(key.blob), printed);
    }
  });

  it('knownHostsName: [host]:port off port 22, lower-case', () => {
    assert.equal(knownHostsName('Example.ORG', 22), 'example.org');
    assert.equal(knownHostsName('example.org', 2222), '[example.org]:2222');
  });
});

describe('checkHostKey', () => {
  it('unknown when no file exists or nothing matches', () => {
    assert.deepEqual(checkHostKey([join(dir, 'missing')], 'h', 22, ed), { kind: 'unknown' });
    const f = knownHosts('other', line('other.example', ed));
    assert.deepEqual(checkHostKey([f], 'h', 22, ed), { kind: 'unknown' });
  });

  it('match reports file and line, across several files in order', () => {
    const a = knownHosts('a', '# comment\n\n' + line('x', ed2));
    const b = knownHosts('b', line('x', ed2) + line('web,web.example.org,10.0.0.5', ed));
    assert.deepEqual(checkHostKey([a, b], 'web.example.org', 22, ed), { kind: 'match', file: b, line: 2 });
    assert.deepEqual(checkHostKey([a, b], 'WEB', 22, ed), { kind: 'match', file: b, line: 2 }, 'case-insensitive');
  });

  it('changed when the host has a different key; names the same-type line and known types', () => {
    const f = knownHosts('changed', line('h', ecdsa) + line('h', ed2));
    assert.deepEqual(checkHostKey([f], 'h', 22, ed), { kind: 'changed', file: f, line: 2, knownTypes: ['ecdsa-sha2-nistp256', 'ssh-ed25519'] });
  });

  it('changed also when only keys of another type are known (documented choice)', () => {
    const f = knownHosts('othertype', line('h', ecdsa));
    assert.deepEqual(checkHostKey([f], 'h', 22, ed), { kind: 'changed', file: f, line: 1, knownTypes: ['ecdsa-sha2-nistp256'] });
    assert.deepEqual(knownHostKeyTypes([f], 'h', 22), ['ecdsa-sha2-nistp256']);
  });

  it('@revoked refuses the key whatever else says it is fine', () => {
    const f = knownHosts('revoked', line('h', ed) + line('*', ed, '@revoked'));
    assert.deepEqual(checkHostKey([f], 'h', 22, ed), { kind: 'revoked', file: f, line: 2 });
    assert.deepEqual(checkHostKey([f], 'h', 22, ed2), { kind: 'changed', file: f, line: 1, knownTypes: ['ssh-ed25519'] },
      'a revoked line is not a known key for the host');
  });

  it('@cert-authority: a host it covers with no plain key known is not "unknown" (host certificates are not supported)', () => {
    const f = knownHosts('ca', '# CA\n' + line('*.example.org', ed2, '@cert-authority'));
    assert.deepEqual(checkHostKey([f], 'a.example.org', 22, ed), { kind: 'cert-authority', file: f, line: 2 });
    assert.deepEqual(checkHostKey([f], 'a.example.com', 22, ed), { kind: 'unknown' }, 'a host it does not cover');
    assert.deepEqual(knownHostKeyTypes([f], 'a.example.org', 22), [], 'a CA key is no known key type of the host');
    const pinned = knownHosts('ca-pinned', line('*.example.org', ed2, '@cert-authority') + line('a.example.org', ed));
    assert.deepEqual(checkHostKey([pinned], 'a.example.org', 22, ed), { kind: 'match', file: pinned, line: 2 });
    assert.equal(checkHostKey([pinned], 'a.example.org', 22, ecdsa).kind, 'changed', 'a plain known key still decides');
  });

  it('a plain pattern matches only port 22; [host]:port matches that port', () => {
    const f = knownHosts('ports', line('h', ed) + line('[h]:2222', ed2));
    assert.equal(checkHostKey([f], 'h', 22, ed).kind, 'match');
    assert.deepEqual(checkHostKey([f], 'h', 2222, ed2), { kind: 'match', file: f, line: 2 });
    assert.equal(checkHostKey([f], 'h', 2222, ed).kind, 'changed');
    assert.equal(checkHostKey([f], 'h', 2200, ed).kind, 'unknown');
  });

  it('wildcards and negations in host patterns', () => {
    const f = knownHosts('wild', line('*.example.org,!evil.example.org', ed) + line('[10.0.0.?]:*', ed2));
    assert.equal(checkHostKey([f], 'a.example.org', 22, ed).kind, 'match');
    assert.equal(checkHostKey([f], 'evil.example.org', 22, ed).kind, 'unknown');
    assert.equal(checkHostKey([f], '10.0.0.7', 2022, ed2).kind, 'match');
    assert.equal(checkHostKey([f], '10.0.0.77', 2022, ed2).kind, 'unknown');
  });

  it('skips malformed lines like OpenSSH', () => {
    const f = knownHosts('malformed', [
      'h', 'h ssh-ed25519', 'h ssh-ed25519 !!!notbase64', `h ssh-rsa ${ed.blob.toString('base64')}`,
      '@bogus h ssh-ed25519 AAAA', 'h 2048 65537 1234567',
      line('h', ed).trim(),
    ].join('\n'));
    assert.deepEqual(checkHostKey([f], 'h', 22, ed), { kind: 'match', file: f, line: 7 });
  });

  it('treats an unreadable known_hosts (here: a directory) as missing', () => {
    const d = join(dir, 'is-a-dir');
    mkdirSync(d, { recursive: true });
    assert.deepEqual(checkHostKey([d], 'h', 22, ed), { kind: 'unknown' });
  });
});

describe('hashed entries', () => {
  it('hash of a name matches only that name', () => {
    const h = hashHostName('[h]:2222');
    assert.match(h, /^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}=$/);
    assert.ok(hashedEntryMatches(h, '[h]:2222'));
    assert.ok(!hashedEntryMatches(h, 'h'));
    assert.ok(!hashedEntryMatches('|1|bad|bad', 'h'));
  });

  it('entries hashed by ssh-keygen -H are found by checkHostKey', () => {
    const f = knownHosts('tohash', line('web.example.org', ed) + line('[db]:2222', ed2));
    execFileSync('ssh-keygen', ['-H', '-f', f], { stdio: 'ignore' });
    const text = readFileSync(f, 'utf8');
    assert.ok(!text.includes('web.example.org'), 'ssh-keygen hashed the names');
    assert.deepEqual(checkHostKey([f], 'web.example.org', 22, ed), { kind: 'match', file: f, line: 1 });
    assert.equal(checkHostKey([f], 'db', 2222, ed2).kind, 'match');
    assert.equal(checkHostKey([f], 'db', 22, ed2).kind, 'unknown');
  });
});

describe('appendKnownHost', () => {
  it('writes "host keytype base64" exactly like the .pub key, readable by ssh-keygen -F', () => {
    const f = join(dir, 'append-plain');
    appendKnownHost(f, 'Web.Example.org', 22, ed, false);
    appendKnownHost(f, 'db', 2222, ed2, false);
    const [keyType, base64] = ed.pubLine.split(' ');
    assert.equal(readFileSync(f, 'utf8'), `web.example.org ${keyType} ${base64}\n[db]:2222 ${ed2.pubLine.split(' ').slice(0, 2).join(' ')}\n`);
    assert.equal(opensshFinds(f, 'web.example.org').length, 1);
    assert.equal(opensshFinds(f, '[db]:2222').length, 1);
    assert.equal(opensshFinds(f, 'db').length, 0);
  });

  it('hashed entries are found by ssh-keygen -F and by checkHostKey', () => {
    const f = join(dir, 'append-hashed');
    appendKnownHost(f, 'secret.example.org', 22, ed, true);
    appendKnownHost(f, 'secret.example.org', 2200, ecdsa, true);
    const text = readFileSync(f, 'utf8');
    assert.ok(!text.includes('secret'), 'no clear-text host name');
    assert.match(text, /^\|1\|[^ ]+ ssh-ed25519 [A-Za-z0-9+/=]+\n\|1\|[^ ]+ ecdsa-sha2-nistp256 [A-Za-z0-9+/=]+\n$/);
    assert.equal(opensshFinds(f, 'secret.example.org').length, 1);
    assert.equal(opensshFinds(f, '[secret.example.org]:2200').length, 1);
    assert.equal(checkHostKey([f], 'secret.example.org', 22, ed).kind, 'match');
    assert.equal(checkHostKey([f], 'secret.example.org', 2200, ecdsa).kind, 'match');
  });

  it('creates the directory 0700 and the file 0600, and ends a last line lacking a newline', () => {
    const home = mkdtempSync(join(tmpdir(), 'stayssh-kh-home-'));
    const f = join(home, '.ssh', 'known_hosts');
    appendKnownHost(f, 'h', 22, ed, false);
    assert.equal(statSync(join(home, '.ssh')).mode & 0o777, 0o700);
    assert.equal(statSync(f).mode & 0o777, 0o600);
    writeFileSync(f, 'other ssh-ed25519 AAAA');
    appendKnownHost(f, 'h', 22, ed, false);
    assert.equal(readFileSync(f, 'utf8').split('\n')[1], `h ${ed.pubLine.split(' ').slice(0, 2).join(' ')}`);
  });

  it('fails with one line when the file cannot be written', () => {
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, '');
    assert.throws(() => appendKnownHost(join(blocker, 'known_hosts'), 'h', 22, ed, false), /^StaysshError: cannot add the host key to /);
  });
});
