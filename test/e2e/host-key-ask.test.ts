// docs/BEHAVIOUR.md §6: StrictHostKeyChecking=ask with a host nobody knows yet. stayssh asks on the
// terminal with the SHA256 fingerprint, as ssh does; `yes` (or the fingerprint typed back)
// logs in and writes the key where and how OpenSSH would, so ssh and ssh-keygen find it;
// `no` — or Enter alone, as in ssh — ends with one line and 255 and writes nothing; any
// other answer is asked again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { startSshd, type SshdHandle } from '../harness/sshd.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';
import { clientArgs, isolatedClientEnv } from '../harness/ssh-client.js';
import { run, runOk } from '../harness/run.js';
import { startTerminal, type Terminal } from '../harness/terminal.js';
import { runStayssh, staysshCommandLine } from '../harness/stayssh-cli.js';

const QUESTION = /Are you sure you want to continue connecting \(yes\/no\/\[fingerprint\]\)\?/;
const ASKED_AGAIN = "Please type 'yes', 'no' or the fingerprint:";
const PROMPT = /\$\s*$/m;
/** Login through sshd + tmux start on a loaded 2-core box (ms). */
const LOGIN_TIMEOUT_MS = 15_000;

describe('StrictHostKeyChecking=ask with an unknown host key', () => {
  let sshd: SshdHandle;
  let tmp: TempDir;
  let env: Record<string, string>;
  /** The host key's fingerprint as ssh-keygen prints it: the oracle, not stayssh's own code. */
  let fingerprint: string;
  let hostName: string;
  const terminals: Terminal[] = [];
  let files = 0;

  before(async () => {
    sshd = await startSshd();
    tmp = makeTempDir('e2e-ask');
    env = isolatedClientEnv(tmp.path) as Record<string, string>;
    const pub = tmp.join('host_key.pub');
    writeFileSync(pub, `${sshd.hostKeyPub}\n`);
    const listed = await runOk('ssh-keygen', ['-l', '-E', 'sha256', '-f', pub]);
    fingerprint = /SHA256:\S+/.exec(listed)?.[0] ?? assert.fail(`no fingerprint in: ${listed}`);
    hostName = `[127.0.0.1]:${sshd.port}`;
  });
  after(async () => {
    for (const t of terminals) await t.close();
    await sshd?.close();
    tmp?.close();
  });

  const countLogins = (): number => (sshd.logText().match(/Accepted publickey/g) ?? []).length;

  /** An empty known_hosts of its own for each test: nothing known, nothing shared. */
  function emptyKnownHosts(): string {
    const file = tmp.join(`known_hosts.${++files}`);
    writeFileSync(file, '');
    return file;
  }

  /** stayssh asking on a terminal (BatchMode off), `command` for stream mode, else a shell. */
  async function ask(knownHosts: string, command: string[] = []): Promise<Terminal> {
    const args = clientArgs(sshd, { knownHostsFile: knownHosts, strictHostKeyChecking: 'ask', batchMode: false });
    const term = await startTerminal({ command: staysshCommandLine([...args, ...command]), env });
    terminals.push(term);
    await term.waitForText(QUESTION, { timeoutMs: LOGIN_TIMEOUT_MS });
    return term;
  }

  async function answer(term: Terminal, text: string): Promise<void> {
    await term.type(text);
    await term.press('Enter');
  }

  /** What the terminal shows after the first question, without the harness's own "Pane is dead" line. */
  function linesAfterQuestion(screen: string): string[] {
    const rest = screen.slice(screen.search(QUESTION));
    return rest.split('\n').slice(1).filter((l) => l.trim() !== '' && !/^Pane is dead/.test(l));
  }

  test('the question names the host and the SHA256 fingerprint; yes logs in and the key is written as OpenSSH writes it', async () => {
    const knownHosts = emptyKnownHosts();
    const term = await ask(knownHosts);
    const screen = await term.screen();
    assert.match(screen, new RegExp(`The authenticity of host '${escapeRe(hostName)}' can't be established\\.`));
    assert.ok(screen.includes(`ED25519 key fingerprint is ${fingerprint}.`), `fingerprint ${fingerprint} not shown:\n${screen}`);
    assert.equal(readFileSync(knownHosts, 'utf8'), '', 'nothing written before the answer');

    await answer(term, 'yes');
    await term.waitForText(PROMPT, { timeoutMs: LOGIN_TIMEOUT_MS });
    assert.match(await term.screen({ scrollback: true }), new RegExp(`Permanently added '${escapeRe(hostName)}' \\(ED25519\\)`));
    await answer(term, 'exit 0');
    assert.deepEqual(await term.waitForExit({ timeoutMs: LOGIN_TIMEOUT_MS }), { code: 0, signal: null });

    // OpenSSH's own tools find it under [host]:port ...
    const found = await run('ssh-keygen', ['-F', hostName, '-f', knownHosts]);
    assert.equal(found.code, 0, `ssh-keygen -F ${hostName} found nothing in:\n${readFileSync(knownHosts, 'utf8')}`);
    assert.ok(found.stdout.includes(sshd.hostKeyPub.split(' ').slice(0, 2).join(' ')), found.stdout);
    // ... ssh trusts it with StrictHostKeyChecking=yes ...
    const ssh = await run('ssh', [...clientArgs(sshd, { knownHostsFile: knownHosts }), 'echo', 'ssh-knows-it'], { env });
    assert.equal(ssh.code, 0, ssh.stderr);
    assert.equal(ssh.stdout.trim(), 'ssh-knows-it');
    // ... and so does stayssh next time, without asking.
    const again = await runStayssh([...clientArgs(sshd, { knownHostsFile: knownHosts, strictHostKeyChecking: 'yes' }), 'echo', 'stayssh-knows-it'], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout.trim(), 'stayssh-knows-it');
  });

  for (const [reply, why] of [
    ['no', 'no'],
    ['', 'Enter alone (ssh takes it as no)'],
  ] as const) {
    test(`${why}: exit 255 with one clear line, and nothing is written`, async () => {
      const knownHosts = emptyKnownHosts();
      const logins = countLogins();
      const term = await ask(knownHosts);
      await answer(term, reply);
      assert.deepEqual(await term.waitForExit({ timeoutMs: LOGIN_TIMEOUT_MS }), { code: 255, signal: null });
      const lines = linesAfterQuestion(await term.screen());
      assert.equal(lines.length, 1, `one line after the answer, got:\n${lines.join('\n')}`);
      assert.match(lines[0] ?? '', /host key verification failed/i);
      assert.equal(readFileSync(knownHosts, 'utf8'), '', 'known_hosts untouched');
      assert.equal(countLogins(), logins, 'no authentication after a refused key');
    });
  }

  test('anything else is asked again, a wrong fingerprint too; the right fingerprint typed back is accepted', async () => {
    const knownHosts = emptyKnownHosts();
    // Stream mode (a command): the dialogue is the same, the login shorter.
    const term = await ask(knownHosts, ['echo', 'in-with-fingerprint-$((6*7))']);
    await answer(term, 'maybe');
    await term.waitForText(new RegExp(`\\? maybe\\n${escapeRe(ASKED_AGAIN)}$`, 'm'));
    await answer(term, 'SHA256:not-this-key');
    await term.waitForText(new RegExp(`fingerprint: SHA256:not-this-key\\n${escapeRe(ASKED_AGAIN)}$`, 'm'));
    assert.equal(readFileSync(knownHosts, 'utf8'), '', 'nothing written for a wrong fingerprint');

    await answer(term, fingerprint);
    await term.waitForText('in-with-fingerprint-42', { timeoutMs: LOGIN_TIMEOUT_MS });
    assert.deepEqual(await term.waitForExit({ timeoutMs: LOGIN_TIMEOUT_MS }), { code: 0, signal: null });
    const found = await run('ssh-keygen', ['-F', hostName, '-f', knownHosts]);
    assert.equal(found.code, 0, `ssh-keygen -F ${hostName} found nothing in:\n${readFileSync(knownHosts, 'utf8')}`);
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
