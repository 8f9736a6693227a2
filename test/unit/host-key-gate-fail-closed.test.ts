// docs/BEHAVIOUR.md §7, security settings fail closed, at the host key gate: RevokedHostKeys
// (a plain list honoured; a KRL, a missing file or a line that is not a key refused),
// @revoked lines, and @cert-authority lines (host certificates cannot be verified with
// ssh2, so a host a CA covers is never trusted on first use). Keys and the KRL come from
// the real ssh-keygen.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StrictHostKeyChecking } from '../../src/config/types.js';
import { HostKeyGate, type HostKeyGateOptions } from '../../src/transport/host-key-gate.js';
import type { Prompter } from '../../src/transport/prompter.js';

const dir = mkdtempSync(join(tmpdir(), 'stayssh-gate-'));
let files = 0;

interface Key {
  path: string;
  /** `type base64 comment`, as in the .pub file. */
  pubLine: string;
  type: string;
  base64: string;
  blob: Buffer;
  /** As ssh-keygen -l prints it: the oracle for the messages. */
  fingerprint: string;
}

function generate(name: string): Key {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}-comment`, '-f', path]);
  const pubLine = readFileSync(`${path}.pub`, 'utf8').trim();
  const [type = '', base64 = ''] = pubLine.split(' ');
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${path}.pub`], { encoding: 'utf8' }).split(' ')[1] ?? '';
  return { path, pubLine, type, base64, blob: Buffer.from(base64, 'base64'), fingerprint };
}

function file(content: string | Buffer): string {
  const path = join(dir, `f${++files}`);
  writeFileSync(path, content);
  return path;
}

const HOST = '127.0.0.1';
const PORT = 2222;
const NAME = `[${HOST}]:${PORT}`;

let server: Key;
let other: Key;
let ca: Key;

before(() => {
  server = generate('server');
  other = generate('other');
  ca = generate('ca');
});

/** A prompter that fails the test if the gate ever asks. */
const neverAsked: Prompter = {
  secret: () => assert.fail('asked for a secret'),
  confirmHostKey: () => assert.fail('asked about the host key'),
  line: () => assert.fail('asked for a line'),
};

function gate(o: { knownHosts?: string; strict?: StrictHostKeyChecking; revoked?: string; prompter?: Prompter }): { gate: HostKeyGate; warnings: string[] } {
  const warnings: string[] = [];
  const options: HostKeyGateOptions = {
    host: HOST,
    port: PORT,
    displayName: 'server',
    userKnownHostsFiles: [o.knownHosts ?? file('')],
    globalKnownHostsFiles: [],
    strict: o.strict ?? 'yes',
    hashKnownHosts: false,
    prompter: o.prompter,
    warn: (t) => warnings.push(t),
    revokedHostKeys: o.revoked,
  };
  return { gate: new HostKeyGate(options), warnings };
}

const known = (key: Key, marker = '') => `${marker}${marker ? ' ' : ''}${NAME} ${key.type} ${key.base64}\n`;

describe('RevokedHostKeys: a plain list of public keys', () => {
  it('a listed key is refused with OpenSSH\'s line, even when known_hosts holds it and StrictHostKeyChecking is no', async () => {
    const list = file(`# revoked after the 2026 incident\n\n   \n${other.pubLine}\n  ${server.pubLine}\n`);
    const { gate: g } = gate({ knownHosts: file(known(server)), strict: 'no', revoked: list });
    assert.equal(await g.verify(server.blob), false);
    assert.equal(g.rejection?.message, `Host key ED25519 ${server.fingerprint} revoked by file ${list}; host key verification failed`);
    assert.equal(g.pinnedKey, undefined);
  });

  it('a key not listed goes on to known_hosts as usual: known, changed, unknown', async () => {
    const revoked = file(`${other.pubLine}\n`);
    const { gate: g } = gate({ knownHosts: file(known(server)), revoked });
    assert.equal(await g.verify(server.blob), true);
    const kh = file(known(server));
    const { gate: changed, warnings } = gate({ knownHosts: kh, strict: 'no', revoked });
    assert.equal(await changed.verify(ca.blob), false);
    assert.match(changed.rejection?.message ?? '', new RegExp(`^host key for server has changed \\(known_hosts ${kh}:1\\)`));
    assert.match(warnings.join('\n'), /REMOTE HOST IDENTIFICATION HAS CHANGED/);
    const { gate: unknown } = gate({ strict: 'yes', revoked });
    assert.equal(await unknown.verify(server.blob), false);
    assert.match(unknown.rejection?.message ?? '', /^no ssh-ed25519 host key is known for \[127\.0\.0\.1\]:2222/);
  });

  it('revocations are checked again on every dial: a key revoked during the run is refused at the re-dial', async () => {
    const list = file('');
    const { gate: g } = gate({ knownHosts: file(known(server)), revoked: list });
    assert.equal(await g.verify(server.blob), true, 'first contact');
    writeFileSync(list, `${server.pubLine}\n`);
    assert.equal(await g.verify(server.blob), false, 'the pinned key, now revoked');
    assert.match(g.rejection?.message ?? '', /revoked by file/);
  });

  it('a certificate in the list revokes its key (OpenSSH compares the public part)', async () => {
    execFileSync('ssh-keygen', ['-q', '-s', ca.path, '-I', 'server-host', '-h', '-n', HOST, `${server.path}.pub`]);
    const cert = readFileSync(`${server.path}-cert.pub`, 'utf8').trim();
    assert.match(cert, /^ssh-ed25519-cert-v01@openssh\.com /);
    const list = file(`${cert}\n`);
    const { gate: g } = gate({ knownHosts: file(known(server)), revoked: list });
    assert.equal(await g.verify(server.blob), false);
    assert.match(g.rejection?.message ?? '', /revoked by file/);
    const { gate: g2 } = gate({ knownHosts: file(known(other)), revoked: list });
    assert.equal(await g2.verify(other.blob), true, 'the certificate revokes its own key only');
  });

  it('a KRL is refused with one line naming the setting and the file', async () => {
    const krl = join(dir, 'revoked.krl');
    execFileSync('ssh-keygen', ['-q', '-k', '-f', krl, `${other.path}.pub`]);
    assert.equal(readFileSync(krl).subarray(0, 8).toString('latin1'), 'SSHKRL\n\0');
    const { gate: g } = gate({ knownHosts: file(known(server)), strict: 'no', revoked: krl });
    assert.equal(await g.verify(server.blob), false, 'not read as "nothing revoked"');
    assert.equal(g.rejection?.message, `RevokedHostKeys file ${krl} is a KRL (binary key revocation list), which stayssh cannot read (list the revoked public keys one per line instead); refusing to connect to server`);
  });

  it('a missing or unreadable file refuses the connection, as in OpenSSH', async () => {
    const missing = join(dir, 'no-such-list');
    const { gate: g } = gate({ knownHosts: file(known(server)), strict: 'no', revoked: missing });
    assert.equal(await g.verify(server.blob), false);
    assert.equal(g.rejection?.message, `cannot read RevokedHostKeys file ${missing}: no such file or directory; refusing to connect to server`);
    const { gate: g2 } = gate({ knownHosts: file(known(server)), revoked: dir });
    assert.equal(await g2.verify(server.blob), false);
    assert.match(g2.rejection?.message ?? '', /^cannot read RevokedHostKeys file .*: is a directory; refusing to connect/);
  });

  it('a line that is not a public key refuses the connection, naming file:line', async () => {
    for (const bad of ['ssh-ed25519', 'ssh-ed25519 !!!', `ssh-rsa ${server.base64}`, `from="*" ${server.pubLine}`]) {
      const list = file(`# fine\n${other.pubLine}\n${bad}\n`);
      const { gate: g } = gate({ knownHosts: file(known(server)), revoked: list });
      assert.equal(await g.verify(server.blob), false, bad);
      assert.equal(g.rejection?.message, `RevokedHostKeys file ${list}:3: not a public key (expected "type base64 [comment]"); refusing to connect to server`);
    }
  });
});

describe('@revoked in known_hosts', () => {
  it('is refused under StrictHostKeyChecking=no, with the banner, and on a re-dial too', async () => {
    const kh = file(known(server));
    const { gate: g, warnings } = gate({ knownHosts: kh, strict: 'no' });
    assert.equal(await g.verify(server.blob), true);
    writeFileSync(kh, known(server) + known(server, '@revoked'));
    assert.equal(await g.verify(server.blob), false, 'the pinned key, revoked since');
    assert.equal(g.rejection?.message, 'host key for server is revoked; refusing to connect');
    assert.match(warnings.join('\n'), /REVOKED HOST KEY DETECTED/);
    const { gate: fresh } = gate({ knownHosts: kh, strict: 'no' });
    assert.equal(await fresh.verify(server.blob), false, 'first contact');
  });
});

describe('@cert-authority in known_hosts', () => {
  const refusal = (kh: string, line: number) =>
    `host certificates are not supported (@cert-authority in ${kh}:${line} covers ${NAME}); add the host's key to known_hosts to connect`;

  for (const strict of ['yes', 'no', 'accept-new', 'ask'] as const) {
    it(`a host a CA covers, its key not known: refused, never asked or added (StrictHostKeyChecking ${strict})`, async () => {
      const content = `# the CA\n@cert-authority 127.0.0.*,[127.0.0.1]:* ${ca.type} ${ca.base64}\n`;
      const kh = file(content);
      const { gate: g } = gate({ knownHosts: kh, strict, prompter: neverAsked });
      assert.equal(await g.verify(server.blob), false);
      assert.equal(g.rejection?.message, refusal(kh, 2));
      assert.equal(readFileSync(kh, 'utf8'), content, 'nothing written to known_hosts');
    });
  }

  it('a plain key pinned in known_hosts for that host still works', async () => {
    const kh = file(`@cert-authority [127.0.0.1]:* ${ca.type} ${ca.base64}\n${known(server)}`);
    const { gate: g } = gate({ knownHosts: kh, strict: 'yes' });
    assert.equal(await g.verify(server.blob), true);
  });

  it('a CA for other hosts changes nothing: accept-new adds the key', async () => {
    const kh = file(`@cert-authority *.example.org ${ca.type} ${ca.base64}\n`);
    const { gate: g } = gate({ knownHosts: kh, strict: 'accept-new' });
    assert.equal(await g.verify(server.blob), true);
    assert.match(readFileSync(kh, 'utf8'), new RegExp(`^\\[127\\.0\\.0\\.1\\]:${PORT} ssh-ed25519 ${server.base64.replace(/[+/]/g, '\\$&')}$`, 'm'));
  });
});
