// Keyboard-interactive with a one-time code, and prompts that come while a session is
// attached (issue 7). A server asking `Password:` and `Verification code:` (the shape of a
// 2FA PAM stack), behind the fault proxy; stayssh in a real terminal with --remember and a
// real Secret Service. The password is asked once and answered from memory on every
// re-dial; the code is asked again on each re-dial, on the terminal's bottom rows while the
// session's screen is up; no key of an answer reaches the remote shell; the code is never
// stored. And when the server's password changes mid-session, the refused answer is
// dropped and the new one asked for the same way.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';
import { isolatedClientEnv } from '../harness/ssh-client.js';
import { startTerminal, type Terminal } from '../harness/terminal.js';
import { staysshCommandLine } from '../harness/stayssh-cli.js';
import { boundSecret, startSecretService, type SecretService } from '../harness/secret-service.js';
import { fingerprintOf } from '../harness/keys.js';
import { OTP_QUESTION, PASSWORD_QUESTION, startOtpServer, type OtpServer } from '../harness/otp-server.js';
import { shellSays } from '../harness/shell-steps.js';

const PASSWORD = 'otp-test-password-1';

function count(screen: string, text: string): number {
  return screen.split(text.trim()).length - 1;
}

describe('one-time codes and prompts during an attached session', () => {
  let server: OtpServer;
  let proxy: FaultProxy;
  let keyring: SecretService;
  let tmp: TempDir;
  let env: Record<string, string>;
  let knownHosts: string;
  /** SHA256 fingerprint of the server's host key: stored answers are bound to it. */
  let hostKey: string;
  const terminals: Terminal[] = [];

  before(async () => {
    server = await startOtpServer({ password: PASSWORD, otp: '111111' });
    proxy = await startFaultProxy({ port: server.port });
    keyring = await startSecretService();
    tmp = makeTempDir('cred-otp');
    env = { ...(isolatedClientEnv(tmp.path) as Record<string, string>), ...keyring.env };
    knownHosts = tmp.join('known_hosts');
    writeFileSync(knownHosts, `${server.knownHostsLine('127.0.0.1', proxy.port)}\n`);
    hostKey = await fingerprintOf(server.knownHostsLine('127.0.0.1', proxy.port));
  });
  after(async () => {
    for (const t of terminals) await t.close();
    await keyring?.close();
    await proxy?.close();
    await server?.close();
    tmp?.close();
  });

  async function open(): Promise<Terminal> {
    const options = {
      UserKnownHostsFile: knownHosts,
      GlobalKnownHostsFile: '/dev/null',
      StrictHostKeyChecking: 'yes',
      BatchMode: 'no',
      PubkeyAuthentication: 'no',
      PreferredAuthentications: 'keyboard-interactive',
      ServerAliveInterval: '1',
      ServerAliveCountMax: '2',
    };
    const args = ['-F', '/dev/null', ...Object.entries(options).flatMap(([k, v]) => ['-o', `${k}=${v}`]), '-p', String(proxy.port), '--remember', `${server.user}@127.0.0.1`];
    const term = await startTerminal({ command: staysshCommandLine(args), env });
    terminals.push(term);
    return term;
  }

  /**
   * Breaks the link so that stayssh re-dials. A black hole, then restored keeping the
   * server side of the dead link open: a reset would close the server's end, and the
   * in-process server's sessions (src/demo/pty-session.ts) do not survive that (SIGHUP to
   * `script` takes the tmux session with it), unlike sshd's.
   */
  async function cutLink(term: Terminal): Promise<void> {
    proxy.blackhole();
    await term.waitForText(/no reply|link lost/, { timeoutMs: 15_000 });
    await proxy.restore({ keepServerSide: true });
  }

  /** Waits for `question` asked by stayssh over the session's screen, and answers it. */
  async function answerMidSession(term: Terminal, question: string, answer: string): Promise<void> {
    const screen = await term.waitForText(`stayssh: ${question.trim()}`, { timeoutMs: 20_000 });
    // On the row above the status line (the last row), not wherever the shell's cursor was.
    const rows = screen.split('\n');
    const at = rows.findIndex((r) => r.includes(`stayssh: ${question.trim()}`));
    assert.ok(at >= rows.length - 3, `asked near the bottom (row ${at} of ${rows.length}):\n${screen}`);
    await term.type(answer);
    await term.press('Enter');
  }

  test('the password once, the code at every re-dial (asked over the session), the code never stored', async () => {
    const term = await open();
    await term.waitForText(PASSWORD_QUESTION.trim(), { timeoutMs: 15_000 });
    await term.type(PASSWORD);
    await term.press('Enter');
    await term.waitForText(OTP_QUESTION.trim(), { timeoutMs: 15_000 });
    await term.type('111111');
    await term.press('Enter');
    await shellSays(term, 'otp-first');

    for (const code of ['222222', '333333']) {
      server.otp = code;
      await cutLink(term);
      await answerMidSession(term, OTP_QUESTION, code);
      const screen = await shellSays(term, `otp-after-${code}`);
      assert.ok(!screen.includes(code) || count(screen, code) === count(screen, `otp-after-${code}`), `the code is not echoed:\n${screen}`);
    }
    const screen = await term.screen({ scrollback: true });
    assert.equal(count(screen, PASSWORD_QUESTION), 1, `one password prompt:\n${screen}`);
    assert.doesNotMatch(screen, /command not found|not found/, 'no key of an answer reached the remote shell');
    assert.equal(server.asked.get(PASSWORD_QUESTION), 3, 'the server asked for the password at every login');

    const account = `${server.user}@127.0.0.1:${proxy.port}`;
    assert.deepEqual(boundSecret(await keyring.lookup(`kbd:${account}:Password:`)), { fingerprint: hostKey, secret: PASSWORD }, 'the password answer was stored');
    assert.equal(await keyring.lookup(`kbd:${account}:Verification code:`), undefined, 'the code never is');
  });

  test('the password changes while attached: the refused answer is dropped and asked again', async () => {
    const term = terminals[0];
    assert.ok(term, 'the session of the previous test');
    server.otp = '444444';
    server.password = 'otp-test-password-2';
    await cutLink(term);
    // The cached password is refused with the code; both are asked for again.
    await answerMidSession(term, OTP_QUESTION, '444444');
    await answerMidSession(term, PASSWORD_QUESTION, 'otp-test-password-2');
    await answerMidSession(term, OTP_QUESTION, '444444');
    await shellSays(term, 'otp-new-password');
    const screen = await term.screen({ scrollback: true });
    assert.ok(!screen.includes('otp-test-password-2'), `the new password never shows:\n${screen}`);
    assert.doesNotMatch(screen, /not found/);
    const account = `kbd:${server.user}@127.0.0.1:${proxy.port}:Password:`;
    assert.deepEqual(boundSecret(await keyring.lookup(account)), { fingerprint: hostKey, secret: 'otp-test-password-2' }, 'the keychain follows the new password');
    await term.type('exit');
    await term.press('Enter');
    assert.deepEqual(await term.waitForExit({ timeoutMs: 15_000 }), { code: 0, signal: null });
  });
});
