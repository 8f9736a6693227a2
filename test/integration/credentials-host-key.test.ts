// Stored passwords go only to the host key they were accepted under (issue 17, item 2;
// docs/BEHAVIOUR.md §6). A real OpenSSH sshd behind the fault proxy, stayssh in a real
// terminal, a real Secret Service.
//
// The scenario: `user@127.0.0.1:PORT` first reaches server A, and --remember stores the
// password. Then the same name reaches another machine, B (here: the sshd behind the port
// restarted with a new host key; in life a tunnel whose far end moved, a reinstalled
// server, the same HostName through another bastion), reached through a Host block with
// its own known_hosts, where B's key is accepted under `accept-new`. OpenSSH would ask
// for B's password; so must stayssh, and it must not send A's password to B first. The
// same login user and password serve both, so a stored password that WAS sent would log
// in silently: the prompt appearing is the proof, and sshd's log shows no password tried.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { type SshdHandle } from '../harness/sshd.js';
import { startProxiedSshd, type ProxiedSshd } from '../harness/proxied-sshd.js';
import type { Terminal } from '../harness/terminal.js';
import { runStayssh } from '../harness/stayssh-cli.js';
import { boundSecret, startSecretService, type SecretService } from '../harness/secret-service.js';
import { shellSays, leaveShell, countMatches } from '../harness/shell-steps.js';
import { loginPassword } from '../harness/login-user.js';
import { fingerprintOf } from '../harness/keys.js';
import { needs } from '../harness/requirements.js';

/** Screen text of the password question (OpenSSH's wording). */
const PASSWORD_PROMPT = /password:/;
/** What sshd logs (LogLevel VERBOSE) for any password a client sends. */
const PASSWORD_TRIED = /(Accepted|Failed) password for/;

describe('stored passwords and the host key they were accepted under', () => {
  let sshd: SshdHandle;
  let keyring: SecretService;
  let env: Record<string, string>;
  let fx: ProxiedSshd;
  /** The keychain item of the destination: `user@127.0.0.1:PORT`. */
  let account: string;
  /** Server A's host key: its private key file (to serve it again) and fingerprint. */
  let keyA: string;
  let fpA: string;
  let fpB: string;
  /** The known_hosts of the Host block that reaches B: fresh, B's key is accepted under accept-new. */
  let knownHostsB: string;

  before(async () => {
    fx = await startProxiedSshd('cred-hostkey', { passwordAuthentication: true });
    sshd = fx.sshd;
    keyring = await startSecretService();
    env = { ...fx.env, ...keyring.env };
    account = `${sshd.user}@127.0.0.1:${fx.proxy.port}`;
    keyA = sshd.hostKeyPaths[0] ?? '';
    fpA = await fingerprintOf(sshd.hostKeyPubs[0] ?? '');
    knownHostsB = fx.tmp.join('known_hosts_b');
  });
  after(async () => {
    await keyring?.close();
    await fx?.close();
  });

  function args(extra: string[], options: Record<string, string> = {}): string[] {
    return fx.clientArgs({
      identity: null,
      batchMode: false,
      options: { PreferredAuthentications: 'password', ...options },
      extra,
    });
  }

  /** Answers the password prompt (after checking that no password was sent before it) and proves the shell. */
  async function askedAndLoggedIn(term: Terminal, logFrom: number, word: string): Promise<string> {
    await term.waitForText(PASSWORD_PROMPT, { timeoutMs: 15_000 });
    assert.doesNotMatch(sshd.logText().slice(logFrom), PASSWORD_TRIED, 'no stored password was sent before asking');
    await term.type(loginPassword(sshd));
    await term.press('Enter');
    return shellSays(term, word);
  }

  test('server A: the password typed with --remember is stored with A\'s host key fingerprint', needs('root'), async () => {
    const term = await fx.openStayssh(args(['--remember']), env);
    await askedAndLoggedIn(term, 0, 'on-a');
    assert.deepEqual(boundSecret(await keyring.lookup(account)), { fingerprint: fpA, secret: loginPassword(sshd) });
    await leaveShell(term);
  });

  test('the same user@host:port with another host key (B, accepted under accept-new): A\'s password is not sent, the password is asked for; --remember replaces the item with B\'s', needs('root'), async () => {
    await sshd.restart({ hostKey: 'new' });
    fpB = await fingerprintOf(sshd.hostKeyPubs[0] ?? '');
    assert.notEqual(fpB, fpA);
    const events = fx.tmp.join('events-b.jsonl');
    const logFrom = sshd.logText().length;
    const term = await fx.openStayssh(args(['--remember', '--events', events], { UserKnownHostsFile: knownHostsB, StrictHostKeyChecking: 'accept-new' }), env);
    const screen = await askedAndLoggedIn(term, logFrom, 'on-b');
    assert.match(screen, /Permanently added/, 'B\'s key was accepted as new');
    assert.equal(countMatches(screen, PASSWORD_PROMPT), 1, `one prompt:\n${screen}`);
    assert.ok(!screen.includes(loginPassword(sshd)), 'the password never shows');
    assert.deepEqual(boundSecret(await keyring.lookup(account)), { fingerprint: fpB, secret: loginPassword(sshd) }, 'now bound to B');
    await leaveShell(term);
    assert.ok(!readFileSync(events, 'utf8').includes(loginPassword(sshd)), 'the password is in no event');
  });

  test('B again, with the same key: the stored password is used without asking', needs('root'), async () => {
    const logFrom = sshd.logText().length;
    const term = await fx.openStayssh(args([], { UserKnownHostsFile: knownHostsB, StrictHostKeyChecking: 'yes' }), env);
    const screen = await shellSays(term, 'on-b-again');
    assert.equal(countMatches(screen, PASSWORD_PROMPT), 0, `no prompt:\n${screen}`);
    assert.match(sshd.logText().slice(logFrom), /Accepted password for/, 'logged in with the stored password');
    await leaveShell(term);
  });

  test('A again (its own known_hosts): B\'s password is not sent to A; asked, and without --remember the item stays B\'s', needs('root'), async () => {
    await sshd.restart({ hostKeyPaths: [keyA] });
    assert.equal(await fingerprintOf(sshd.hostKeyPubs[0] ?? ''), fpA);
    const logFrom = sshd.logText().length;
    const term = await fx.openStayssh(args([]), env);
    await askedAndLoggedIn(term, logFrom, 'on-a-again');
    await leaveShell(term);
    assert.deepEqual(boundSecret(await keyring.lookup(account)), { fingerprint: fpB, secret: loginPassword(sshd) }, 'a run without --remember writes nothing');
  });

  test('a password stored bare by an older stayssh (no fingerprint) is not sent: asked, and --remember stores it bound', needs('root'), async () => {
    await keyring.store(account, loginPassword(sshd));
    const logFrom = sshd.logText().length;
    const term = await fx.openStayssh(args(['--remember']), env);
    await askedAndLoggedIn(term, logFrom, 'after-old-format');
    assert.deepEqual(boundSecret(await keyring.lookup(account)), { fingerprint: fpA, secret: loginPassword(sshd) });
    await leaveShell(term);
  });

  test('HostKeyAlias names the item, as it names the key in known_hosts; --forget with it removes that item only', needs('root'), async () => {
    const aliasKnownHosts = fx.tmp.join('known_hosts_alias');
    writeFileSync(aliasKnownHosts, `${sshd.knownHostsLine('lab-a', 22)}\n`);
    const aliased = { HostKeyAlias: 'lab-a', UserKnownHostsFile: aliasKnownHosts };
    const aliasAccount = `${sshd.user}@lab-a:22`;
    const logFrom = sshd.logText().length;
    // The item of user@127.0.0.1:PORT holds A's password, bound to A's very key: still not
    // the item of a destination whose key is filed under another name.
    const term = await fx.openStayssh(args(['--remember'], aliased), env);
    await askedAndLoggedIn(term, logFrom, 'aliased');
    await leaveShell(term);
    assert.deepEqual(boundSecret(await keyring.lookup(aliasAccount)), { fingerprint: fpA, secret: loginPassword(sshd) });

    const r = await runStayssh(['--forget', ...args([], aliased)], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `stayssh: forgot password for ${aliasAccount}\n`);
    assert.equal(await keyring.lookup(aliasAccount), undefined);
    assert.deepEqual(boundSecret(await keyring.lookup(account)), { fingerprint: fpA, secret: loginPassword(sshd) }, 'the other name\'s item stays');
  });
});
