// Re-authentication that needs no person, with a password (issue 7's "done when"): a real
// OpenSSH sshd behind the fault proxy, stayssh in a real terminal, a real Secret Service.
// One prompt at start; link resets re-authenticate silently; with --remember the next run
// asks nothing; a stored password the server refuses is erased and asked for again;
// --forget removes it without connecting; with no D-Bus at all, one note and a working login.
// The keychain holds the password with the fingerprint of the host key that accepted it
// (docs/BEHAVIOUR.md §6; another key is refused the password: credentials-host-key.test.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type SshdHandle } from '../harness/sshd.js';
import { startProxiedSshd, type ProxiedSshd } from '../harness/proxied-sshd.js';
import { type FaultProxy } from '../harness/fault-proxy.js';
import type { Terminal } from '../harness/terminal.js';
import { runStayssh } from '../harness/stayssh-cli.js';
import { boundSecret, sealedSecret, startSecretService, type SecretService } from '../harness/secret-service.js';
import { fingerprintOf } from '../harness/keys.js';
import { shellSays, leaveShell, countMatches } from '../harness/shell-steps.js';
import { loginPassword } from '../harness/login-user.js';
import { needs } from '../harness/requirements.js';

/** Screen text of the password question (OpenSSH's wording). */
const PASSWORD_PROMPT = /password:/;
const NO_KEYCHAIN_NOTE = /no OS keychain reachable/;

describe('password re-authentication and the keychain', () => {
  let sshd: SshdHandle;
  let proxy: FaultProxy;
  let keyring: SecretService;
  let env: Record<string, string>;
  let account: string;
  /** SHA256 fingerprint of the server's host key, as ssh-keygen prints it. */
  let hostKey: string;
  let fx: ProxiedSshd;

  before(async () => {
    fx = await startProxiedSshd('cred-pw', { passwordAuthentication: true });
    ({ sshd, proxy } = fx);
    keyring = await startSecretService();
    env = { ...fx.env, ...keyring.env };
    account = `${sshd.user}@127.0.0.1:${proxy.port}`;
    hostKey = await fingerprintOf(sshd.hostKeyPubs[0] ?? '');
  });
  after(async () => {
    await keyring?.close();
    await fx?.close();
  });

  function args(extra: string[] = []): string[] {
    return fx.clientArgs({
      identity: null,
      batchMode: false,
      options: { ServerAliveInterval: '1', ServerAliveCountMax: '2', PreferredAuthentications: 'password' },
      extra,
    });
  }

  function open(extra: string[], clientEnv = env): Promise<Terminal> {
    return fx.openStayssh(args(extra), clientEnv);
  }

  test('one prompt, silent re-authentication after resets, then stored with --remember', needs('root'), async () => {
    const password = loginPassword(sshd);
    const term = await open(['--remember']);
    await term.waitForText(PASSWORD_PROMPT, { timeoutMs: 15_000 });
    // Not in the keychain before the server said yes.
    assert.equal(await keyring.lookup(account), undefined);
    await term.type(password);
    await term.press('Enter');
    await shellSays(term, 'first');
    assert.deepEqual(boundSecret(await keyring.lookup(account)), { fingerprint: hostKey, secret: password }, 'stored once accepted, with its host key');

    for (let cut = 1; cut <= 2; cut++) {
      const before = proxy.connectionsAccepted;
      proxy.reset();
      await shellSays(term, `after-reset-${cut}`);
      assert.ok(proxy.connectionsAccepted > before, 'the link was re-dialed');
    }
    const screen = await term.screen({ scrollback: true });
    assert.equal(countMatches(screen, PASSWORD_PROMPT), 1, `exactly one password prompt:\n${screen}`);
    assert.ok(!screen.includes(password), 'the password never shows');
    assert.doesNotMatch(screen, NO_KEYCHAIN_NOTE);
    await leaveShell(term);
  });

  test('the next run asks nothing: the password comes from the keychain', needs('root'), async () => {
    const password = loginPassword(sshd);
    assert.deepEqual(boundSecret(await keyring.lookup(account)), { fingerprint: hostKey, secret: password }, 'the previous test stored it');
    const term = await open([]);
    const screen = await shellSays(term, 'second-run');
    assert.equal(countMatches(screen, PASSWORD_PROMPT), 0, `no prompt:\n${screen}`);
    await leaveShell(term);
  });

  test('a stored password the server refuses is erased and asked for again', needs('root'), async () => {
    const password = loginPassword(sshd);
    // Stored for this very host key, so it is sent: and refused.
    await keyring.store(account, sealedSecret('not-the-password', hostKey));
    const logFrom = sshd.logText().length;
    const term = await open(['--remember']);
    await term.waitForText(PASSWORD_PROMPT, { timeoutMs: 15_000 });
    assert.match(sshd.logText().slice(logFrom), /Failed password for/, 'the stored password was tried first');
    await term.type(password);
    await term.press('Enter');
    await shellSays(term, 'refused-then-asked');
    assert.deepEqual(boundSecret(await keyring.lookup(account)), { fingerprint: hostKey, secret: password }, 'the right one replaced the wrong one');
    await leaveShell(term);
  });

  test('--forget removes what --remember stored, without connecting, exit 0', needs('root'), async () => {
    const password = loginPassword(sshd);
    assert.deepEqual(boundSecret(await keyring.lookup(account)), { fingerprint: hostKey, secret: password });
    const dialsBefore = proxy.connectionsAccepted;
    const r = await runStayssh(['--forget', ...args()], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `stayssh: forgot password for ${account}\n`);
    assert.equal(await keyring.lookup(account), undefined);
    assert.equal(proxy.connectionsAccepted, dialsBefore, 'no connection was made');
    const again = await runStayssh(['--forget', ...args()], { env });
    assert.equal(again.stdout, `stayssh: nothing stored for ${account}\n`);
  });

  test('with no D-Bus at all: one note, and the login and re-authentication still work', needs('root'), async () => {
    const password = loginPassword(sshd);
    const bare = { ...env };
    delete bare['DBUS_SESSION_BUS_ADDRESS'];
    const term = await open(['--remember'], bare);
    await term.waitForText(PASSWORD_PROMPT, { timeoutMs: 15_000 });
    await term.type(password);
    await term.press('Enter');
    await shellSays(term, 'memory-only');
    proxy.reset();
    await shellSays(term, 'memory-only-after-reset');
    const screen = await term.screen({ scrollback: true });
    assert.equal(countMatches(screen, NO_KEYCHAIN_NOTE), 1, `one note:\n${screen}`);
    assert.equal(countMatches(screen, PASSWORD_PROMPT), 1, `one prompt:\n${screen}`);
    await leaveShell(term);
    assert.equal(await keyring.lookup(account), undefined, 'nothing reached the (other) keyring');
  });
});
