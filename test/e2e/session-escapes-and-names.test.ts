// Escapes (docs/BEHAVIOUR.md §4), session names, --list/--kill, keystrokes typed during an outage, and a
// host key that changes behind a re-dial — each as a person at a real terminal meets it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { startSshd, type SshdHandle } from '../harness/sshd.js';
import { startProxiedSshd, type ProxiedSshd } from '../harness/proxied-sshd.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';
import { clientArgs, isolatedClientEnv } from '../harness/ssh-client.js';
import { startTerminal, type Terminal } from '../harness/terminal.js';
import { runStayssh, staysshCommandLine } from '../harness/stayssh-cli.js';

const PROMPT = /\$\s*$/m;

describe('escapes, names and outages at a real terminal', () => {
  let fx: ProxiedSshd;
  let proxy: FaultProxy;
  let env: Record<string, string>;

  before(async () => {
    fx = await startProxiedSshd('e2e-esc');
    ({ proxy, env } = fx);
  });
  after(() => fx?.close());

  const args = (extra: string[] = []) => fx.clientArgs({ options: { ServerAliveInterval: '1', ServerAliveCountMax: '2' }, extra });

  async function openSession(extra: string[] = []): Promise<Terminal> {
    const term = await fx.openStayssh(args(extra));
    await term.waitForText(PROMPT, { timeoutMs: 15_000 });
    return term;
  }

  test('~. right after a reattach detaches (the terminal answering tmux\'s queries is not typing)', async () => {
    const term = await openSession(['--session', 'esc-after-reset']);
    proxy.reset();
    await term.waitForText(/to leave/, { timeoutMs: 15_000 });
    await term.press('Enter');
    // Reattached: the status line is gone and tmux has redrawn the prompt. tmux asked the
    // terminal who it is as it attached, and the answer came back as input meanwhile.
    await term.waitForText(/^(?![\s\S]*to leave)[\s\S]*\$\s*$/m, { timeoutMs: 15_000 });
    await term.type('~.');
    const screen = await term.waitForText(/detached from session esc-after-reset/, { timeoutMs: 10_000, join: true });
    assert.doesNotMatch(screen, /~\.: command not found/);
    assert.deepEqual(await term.waitForExit({ timeoutMs: 10_000 }), { code: 255, signal: null });
  });

  test('~. detaches with 255 and says how to resume; --list shows the session detached; --kill ends it', async () => {
    const term = await openSession(['--session', 'esc-detach']);
    await term.type('echo before-detach');
    await term.press('Enter');
    await term.waitForText('before-detach');
    await term.press('Enter');
    await term.type('~.');
    const screen = await term.waitForText(/resume with: stayssh --session esc-detach/, { join: true });
    assert.match(screen, /detached from session esc-detach/);
    assert.deepEqual(await term.waitForExit(), { code: 255, signal: null });

    const list = await runStayssh([...args(), '--list'], { env });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^NAME\s+STATE\s+CREATED\s+HOST\s+COMMAND$/m);
    assert.match(list.stdout, /^esc-detach\s+detached\s+\d{4}-\d\d-\d\d \d\d:\d\d \((just now|\d+m ago)\)\s+127\.0\.0\.1\s+\(login shell\)$/m);
    const json = await runStayssh([...args(), '--list', '--json'], { env });
    const entries = JSON.parse(json.stdout) as Array<{ name: string; state: string }>;
    assert.ok(entries.some((e) => e.name === 'esc-detach' && e.state === 'detached'));

    const kill = await runStayssh([...args(), '--kill', 'esc-detach'], { env });
    assert.equal(kill.code, 0, kill.stderr);
    assert.equal(kill.stdout, 'killed esc-detach\n');
    const again = await runStayssh([...args(), '--list', '--json'], { env });
    assert.ok(!(JSON.parse(again.stdout) as Array<{ name: string }>).some((e) => e.name === 'esc-detach'));
  });

  test('a session killed from elsewhere while attached ends its client with 255, with no resume hint', async () => {
    const term = await openSession(['--session', 'killed-here']);
    const kill = await runStayssh([...args(), '--kill', 'killed-here'], { env });
    assert.equal(kill.code, 0, kill.stderr);
    // Scrollback too: how far the terminal scrolls as the session's screen goes varies.
    const screen = await term.waitForText(/session was ended on the server/, { join: true, scrollback: true });
    assert.doesNotMatch(screen, /resume with/);
    assert.deepEqual(await term.waitForExit(), { code: 255, signal: null });
  });

  test('stayssh killed with SIGTERM leaves the session and says how to resume it, exit 255', async () => {
    const term = await openSession(['--session', 'term-me']);
    process.kill(await term.pid(), 'SIGTERM');
    await term.waitForText(/left session term-me; resume with: stayssh --session term-me/, { join: true, scrollback: true });
    assert.match(await term.screen({ join: true, scrollback: true }), /killed by SIGTERM/);
    assert.deepEqual(await term.waitForExit(), { code: 255, signal: null });
    const list = await runStayssh([...args(), '--list', '--json'], { env });
    assert.ok((JSON.parse(list.stdout) as Array<{ name: string; state: string }>).some((e) => e.name === 'term-me' && e.state === 'detached'), list.stdout);
  });

  test('~? lists the escapes; ~~ sends one tilde; ~R re-dials and the session goes on', async () => {
    const term = await openSession();
    await term.press('Enter');
    await term.type('~?');
    await term.waitForText(/~R\s+.*re-?dial|reconnect/i);
    // `~~` right after a newline sends one tilde: cat shows it back, echoed and copied.
    await term.press('Enter');
    await term.type('cat');
    await term.press('Enter');
    await term.type('~~tilde');
    await term.press('Enter');
    await term.waitForText(/^~tilde\n~tilde$/m);
    await term.press('C-d');
    const before = proxy.connectionsAccepted;
    await term.press('Enter');
    await term.type('~R');
    await term.type('echo after-redial');
    await term.press('Enter');
    await term.waitForText('after-redial');
    assert.ok(proxy.connectionsAccepted > before, '~R made a new connection');
    await term.type('exit 0');
    await term.press('Enter');
    assert.deepEqual(await term.waitForExit(), { code: 0, signal: null });
  });

  test('keys typed while the link is down are delivered after reattach', async () => {
    const term = await openSession();
    await proxy.refuse();
    proxy.reset();
    await term.waitForText(/to leave/);
    await term.type('echo typed-$((20+3))-during-outage');
    await term.press('Enter');
    await proxy.restore();
    await term.waitForText('typed-23-during-outage');
    await term.type('exit 0');
    await term.press('Enter');
    assert.deepEqual(await term.waitForExit(), { code: 0, signal: null });
  });
});

describe('a changed host key after a re-dial', () => {
  let sshd: SshdHandle;
  let proxy: FaultProxy;
  let tmp: TempDir;
  let term: Terminal | undefined;

  before(async () => {
    sshd = await startSshd();
    proxy = await startFaultProxy({ port: sshd.port });
    tmp = makeTempDir('e2e-hk');
  });
  after(async () => {
    await term?.close();
    await proxy?.close();
    await sshd?.close();
    tmp?.close();
  });

  test('is refused loudly, without authenticating, and stayssh exits 255', async () => {
    const env = isolatedClientEnv(tmp.path) as Record<string, string>;
    const knownHosts = tmp.join('known_hosts');
    writeFileSync(knownHosts, `${sshd.knownHostsLine('127.0.0.1', proxy.port)}\n`);
    // StrictHostKeyChecking=no: even then, a key other than the pinned one is never accepted.
    const args = clientArgs(sshd, { port: proxy.port, knownHostsFile: knownHosts, strictHostKeyChecking: 'no' });
    term = await startTerminal({ command: staysshCommandLine(args), env });
    await term.waitForText(PROMPT, { timeoutMs: 15_000 });
    const authsBefore = (sshd.logText().match(/Accepted publickey/g) ?? []).length;
    await sshd.restart({ hostKey: 'new' });
    proxy.reset();
    const screen = await term.waitForText(/REMOTE HOST IDENTIFICATION HAS CHANGED/, { timeoutMs: 15_000 });
    assert.match(screen, /No authentication was attempted/);
    assert.deepEqual(await term.waitForExit(), { code: 255, signal: null });
    const authsAfter = (sshd.logText().match(/Accepted publickey/g) ?? []).length;
    assert.equal(authsAfter, authsBefore, 'no authentication against the impostor');
  });
});
