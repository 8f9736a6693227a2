// Keyboard-interactive re-authentication (issue 7): a real OpenSSH sshd answering through
// PAM (`Password:`), behind the fault proxy, stayssh in a real terminal, a real Secret
// Service. One prompt; resets re-authenticate silently from memory; --remember stores the
// answer, so the next run asks nothing; --forget removes it. (One-time codes and prompts in
// the middle of a session: credentials-otp.test.ts.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type SshdHandle } from '../harness/sshd.js';
import { startProxiedSshd, type ProxiedSshd } from '../harness/proxied-sshd.js';
import { type FaultProxy } from '../harness/fault-proxy.js';
import type { Terminal } from '../harness/terminal.js';
import { runStayssh } from '../harness/stayssh-cli.js';
import { boundSecret, startSecretService, type SecretService } from '../harness/secret-service.js';
import { fingerprintOf } from '../harness/keys.js';
import { shellSays, leaveShell, countMatches } from '../harness/shell-steps.js';
import { loginPassword } from '../harness/login-user.js';
import { needs } from '../harness/requirements.js';

const PAM_PROMPT = /Password:/;

describe('keyboard-interactive re-authentication (PAM) and the keychain', () => {
  let sshd: SshdHandle;
  let proxy: FaultProxy;
  let keyring: SecretService;
  let env: Record<string, string>;
  let account: string;
  /** SHA256 fingerprint of the server's host key: the answer is stored bound to it. */
  let hostKey: string;
  let fx: ProxiedSshd;

  before(async () => {
    fx = await startProxiedSshd('cred-kbd', { kbdInteractiveAuthentication: true, passwordAuthentication: false });
    ({ sshd, proxy } = fx);
    keyring = await startSecretService();
    env = { ...fx.env, ...keyring.env };
    account = `kbd:${sshd.user}@127.0.0.1:${proxy.port}:Password:`;
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
      options: { ServerAliveInterval: '1', ServerAliveCountMax: '2', PreferredAuthentications: 'keyboard-interactive' },
      extra,
    });
  }

  function open(extra: string[]): Promise<Terminal> {
    return fx.openStayssh(args(extra), env);
  }

  test('one PAM prompt, silent re-authentication after resets, stored with --remember', needs('root'), async () => {
    const password = loginPassword(sshd);
    const term = await open(['--remember']);
    await term.waitForText(PAM_PROMPT, { timeoutMs: 15_000 });
    await term.type(password);
    await term.press('Enter');
    await shellSays(term, 'kbd-first');
    assert.deepEqual(boundSecret(await keyring.lookup(account)), { fingerprint: hostKey, secret: password });
    for (let cut = 1; cut <= 2; cut++) {
      proxy.reset();
      await shellSays(term, `kbd-after-reset-${cut}`);
    }
    const screen = await term.screen({ scrollback: true });
    assert.equal(countMatches(screen, PAM_PROMPT), 1, `exactly one prompt:\n${screen}`);
    assert.ok(!screen.includes(password));
    await leaveShell(term);
  });

  test('the next run answers PAM from the keychain; --forget removes the answer', needs('root'), async () => {
    const password = loginPassword(sshd);
    assert.deepEqual(boundSecret(await keyring.lookup(account)), { fingerprint: hostKey, secret: password }, 'the previous test stored it');
    const term = await open([]);
    const screen = await shellSays(term, 'kbd-second-run');
    assert.equal(countMatches(screen, PAM_PROMPT), 0, `no prompt:\n${screen}`);
    await leaveShell(term);

    const r = await runStayssh(['--forget', ...args()], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `stayssh: forgot keyboard-interactive answer for ${sshd.user}@127.0.0.1:${proxy.port}\n`);
    assert.equal(await keyring.lookup(account), undefined);
  });
});
