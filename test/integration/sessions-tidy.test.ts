// Issue 21, part B: sessions stay tidy and the output is clean, against a real sshd
// (docs/BEHAVIOUR.md §1 --list/--kill, §6 SessionIdleExpiry, §7 bad input). Sessions are
// made as a user makes them: `stayssh -tt --session NAME` attaches one (the client stays
// attached until killed), SIGTERM leaves it detached; then their age is changed in the
// server-side state dir (`created`, `used`), which is what the server judges age by.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSshd, type SshdHandle } from '../harness/sshd.js';
import { startProxiedSshd } from '../harness/proxied-sshd.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';
import { clientArgs, isolatedClientEnv } from '../harness/ssh-client.js';
import type { Running } from '../harness/run.js';
import { waitFor } from '../harness/wait-for.js';
import { runStayssh, singleErrorLine, startStayssh } from '../harness/stayssh-cli.js';

const DAY_S = 86_400;
/** A login, a shim run and the multiplexer's start on a loaded 2-core box (ms). */
const SESSION_START_MS = 20_000;

interface Listed {
  name: string;
  host: string;
  state: string;
  created: string;
  createdEpoch: number;
  command: string;
  mux: string;
}

describe('sessions stay tidy', () => {
  let sshd: SshdHandle;
  let tmp: TempDir;
  let env: NodeJS.ProcessEnv;
  const clients: Running[] = [];

  before(async () => {
    sshd = await startSshd();
    tmp = makeTempDir('tidy');
    env = isolatedClientEnv(tmp.path);
  });
  after(async () => {
    for (const c of clients) c.kill();
    await sshd?.close();
    tmp?.close();
  });

  const args = (extra: string[] = []) => clientArgs(sshd, { extra });
  const stateDir = (name: string) => `"$HOME/.local/state/stayssh/sessions/${name}"`;

  /** The tmux sessions of stayssh on the server, NAME → attached (true) or detached. */
  async function tmuxSessions(): Promise<Map<string, boolean>> {
    const r = await sshd.runAsUser(`tmux -L stayssh ls -F '#{session_name} #{session_attached}' 2>/dev/null || true`);
    return new Map(r.stdout.split('\n').filter((l) => l !== '').map((l) => {
      const [name = '', attached = '0'] = l.split(' ');
      return [name, attached !== '0'];
    }));
  }

  async function state(name: string): Promise<'attached' | 'detached' | undefined> {
    const attached = (await tmuxSessions()).get(name);
    return attached === undefined ? undefined : attached ? 'attached' : 'detached';
  }

  /** Session NAME, a client attached to it (until the test ends or kills it). */
  async function attachedSession(name: string, client: NodeJS.ProcessEnv = env): Promise<Running> {
    const c = startStayssh(args(['-tt', '--session', name]), { env: client });
    clients.push(c);
    await waitFor(async () => (await state(name)) === 'attached', {
      what: `session ${name} attached`,
      timeoutMs: SESSION_START_MS,
      detail: () => `stderr: ${c.stderr()}`,
    });
    return c;
  }

  /** Session NAME, left detached as SIGTERM leaves it. */
  async function detachedSession(name: string): Promise<void> {
    const c = await attachedSession(name);
    c.kill('SIGTERM');
    const left = await c.exited;
    assert.match(left.stderr, new RegExp(`left session ${name}; resume with`), left.stderr);
    await waitFor(async () => (await state(name)) === 'detached', { what: `session ${name} detached` });
  }

  /** Makes session NAME look created (and, unless given, last used) `days` ago. */
  async function age(name: string, days: number, usedDaysAgo = days): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    const r = await sshd.runAsUser(
      `cd ${stateDir(name)} && echo ${now - days * DAY_S} >created && echo ${now - usedDaysAgo * DAY_S} >used`,
    );
    assert.equal(r.code, 0, r.stderr);
  }

  async function listJson(): Promise<Listed[]> {
    const r = await runStayssh([...args(), '--list', '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Listed[];
  }

  async function killAll(): Promise<void> {
    for (const c of clients.splice(0)) {
      c.kill();
      await c.exited;
    }
    await sshd.runAsUser('tmux -L stayssh kill-server 2>/dev/null; rm -rf "$HOME/.local/state/stayssh/sessions"');
  }

  /** `2025-01-14 17:26` for `date`, local time, written out independently of the code under test. */
  function localMinute(date: Date): string {
    const p = (n: number) => String(n).padStart(2, '0');
    return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())} ${p(date.getHours())}:${p(date.getMinutes())}`;
  }

  test('--list shows local time, age and host; --list --json keeps ISO and epoch, adds host', async () => {
    await killAll();
    await detachedSession('fresh');
    const before = new Date();
    await detachedSession('aged');
    await age('aged', 3);
    const r = await runStayssh([...args(), '--list'], { env });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^NAME\s+STATE\s+CREATED\s+HOST\s+COMMAND$/);
    const row = (name: string) => {
      const m = new RegExp(`^${name}\\s+detached\\s+(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d) \\(([^)]+)\\)\\s+127\\.0\\.0\\.1\\s+\\(login shell\\)$`, 'm').exec(r.stdout);
      assert.ok(m, `row of ${name} in:\n${r.stdout}`);
      return { time: m[1], age: m[2] };
    };
    // Created a moment ago: that minute (or the one before, at a minute's turn), "just now".
    const fresh = row('fresh');
    assert.equal(fresh.age, 'just now');
    assert.ok([localMinute(before), localMinute(new Date(before.getTime() - 60_000)), localMinute(new Date())].includes(fresh.time ?? ''), `${fresh.time} vs ${before.toString()}`);
    assert.doesNotMatch(r.stdout, /T\d\d:\d\d:\d\d(\.\d+)?Z/, 'no UTC ISO form in the table');
    const aged = row('aged');
    assert.equal(aged.age, '3d ago');

    const json = await listJson();
    const agedEntry = json.find((e) => e.name === 'aged');
    assert.ok(agedEntry, JSON.stringify(json));
    assert.equal(agedEntry.host, '127.0.0.1');
    assert.equal(agedEntry.state, 'detached');
    assert.equal(agedEntry.mux, 'tmux');
    assert.equal(agedEntry.command, '');
    assert.match(agedEntry.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    assert.equal(new Date(agedEntry.created).getTime(), agedEntry.createdEpoch * 1000);
    assert.equal(localMinute(new Date(agedEntry.createdEpoch * 1000)), aged.time, 'the table shows the same moment, local time');
  });

  test('--kill takes several names: one line each, 0 when all were there, 1 when one was not', async () => {
    await killAll();
    for (const name of ['k1', 'k2', 'k3']) await detachedSession(name);
    // Words after the destination are more names, as `stayssh host --kill k1 k2`.
    const both = await runStayssh([...args(), '--kill', 'k1', 'k2'], { env });
    assert.equal(both.code, 0, both.stderr);
    assert.equal(both.stdout, 'killed k1\nkilled k2\n');
    assert.equal(both.stderr, '');
    // Repeated, before the destination, one of them missing.
    const some = await runStayssh(['--kill', 'k3', '--kill', 'k1', ...args()], { env });
    assert.equal(some.code, 1);
    assert.equal(some.stdout, 'killed k3\n');
    assert.match(singleErrorLine(some.stderr), /^stayssh: no session named k1 on 127\.0\.0\.1$/);
    assert.deepEqual([...(await tmuxSessions()).keys()], []);
  });

  test('--kill --detached --older-than ends the old detached sessions, never an attached one', async () => {
    await killAll();
    await detachedSession('old-detached');
    await age('old-detached', 8, 0); // created 8 days ago, used just now: --older-than is by creation
    await detachedSession('new-detached');
    await attachedSession('old-attached');
    await age('old-attached', 8);
    // A stream session (a command left running) is pruned as well.
    const stream = startStayssh([...args(), '--session', 'old-stream', 'echo ready; sleep 600'], { env });
    clients.push(stream);
    await waitFor(() => stream.stdout() === 'ready\n', { what: 'the stream command to start', timeoutMs: SESSION_START_MS });
    stream.kill('SIGTERM');
    assert.equal((await stream.exited).code, 255);
    await waitFor(async () => (await listJson()).find((e) => e.name === 'old-stream')?.state === 'detached', { what: 'old-stream detached' });
    await age('old-stream', 9);

    const r = await runStayssh([...args(), '--kill', '--detached', '--older-than', '7d'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n').filter((l) => l !== '').sort(), ['killed old-detached', 'killed old-stream']);
    assert.equal(r.stderr, '');
    const left = (await listJson()).map((e) => `${e.name}:${e.state}`).sort();
    assert.deepEqual(left, ['new-detached:detached', 'old-attached:attached']);

    // `1w` is the same week; nothing is old enough now: no line, still 0.
    const again = await runStayssh([...args(), '--kill', '--detached', '--older-than', '1w'], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, '');
  });

  test('SessionIdleExpiry ends idle detached sessions at the next run\'s first attach, none attached or being attached', async () => {
    await killAll();
    await detachedSession('idle-old');
    await age('idle-old', 10, 8);
    await detachedSession('used-lately');
    await age('used-lately', 10, 1); // created long ago, but left only yesterday: not idle
    await detachedSession('rejoined');
    await age('rejoined', 10, 8); // idle too, but it is the one the run attaches
    await attachedSession('busy-old');
    await age('busy-old', 10, 8); // idle by its files, but a client is attached
    const client = isolatedClientEnv(tmp.join('expiry'));
    const config = join(String(client['XDG_CONFIG_HOME']), 'stayssh');
    mkdirSync(config, { recursive: true });
    writeFileSync(join(config, 'config'), 'Host *\n  SessionIdleExpiry 7d\n', { mode: 0o600 });

    const run = await attachedSession('rejoined', client);
    await waitFor(() => /idle longer than SessionIdleExpiry/.test(run.stderr()), { what: 'the notice', detail: () => run.stderr() });
    assert.match(run.stderr(), /^stayssh: ended 1 detached session\(s\) idle longer than SessionIdleExpiry: idle-old\n/m);
    assert.doesNotMatch(run.stderr(), /\r/, 'LF-only into a pipe');
    const left = [...(await tmuxSessions()).entries()].map(([n, a]) => `${n}:${a ? 'attached' : 'detached'}`).sort();
    assert.deepEqual(left, ['busy-old:attached', 'rejoined:attached', 'used-lately:detached']);
    const gone = await sshd.runAsUser(`test -e ${stateDir('idle-old')}`);
    assert.notEqual(gone.code, 0, 'its state dir is gone too');
  });

  test('warning and debug lines into a pipe end in LF alone', async () => {
    const r = await runStayssh([...args(['-v', '-t']), 'echo out'], { env, input: '' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^Pseudo-terminal will not be allocated because stdin is not a terminal\.\n/m);
    assert.match(r.stderr, /^debug1: /m);
    assert.doesNotMatch(r.stderr, /\r/);
  });
});

describe('session management: bad input is one line and 255', () => {
  let sshd: SshdHandle;
  let tmp: TempDir;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    sshd = await startSshd();
    tmp = makeTempDir('tidy-bad');
    env = isolatedClientEnv(tmp.path);
  });
  after(async () => {
    await sshd?.close();
    tmp?.close();
  });

  const cases: Array<[string, string[], RegExp]> = [
    ['--json without --list', ['--json'], /^stayssh: --json goes with --list only$/],
    ['a bad duration', ['--kill', '--detached', '--older-than', '7x'], /^stayssh: --older-than: invalid duration "7x"/],
    ['--older-than without --detached', ['--kill', 'a', '--older-than', '7d'], /^stayssh: --older-than needs --kill --detached$/],
    ['--detached without --kill', ['--detached'], /^stayssh: --detached goes with --kill only/],
    ['names with --detached', ['--kill', '--detached', 'a'], /^stayssh: --kill --detached chooses sessions by their state: name none/],
    ['--kill without a name', ['--kill'], /^stayssh: --kill needs a session name \(or --detached\)$/],
    ['--list with --kill', ['--list', '--kill', 'a'], /^stayssh: --list and --kill cannot be combined$/],
    ['a bad name among several', ['--kill', 'good', 'bad;name'], /^stayssh: invalid session name/],
  ];
  for (const [what, extra, pattern] of cases) {
    test(what, async () => {
      // The destination comes first: words after the options would be more names.
      const r = await runStayssh([...clientArgs(sshd), ...extra], { env });
      assert.match(singleErrorLine(r.stderr), pattern);
      assert.equal(r.code, 255);
      assert.equal(r.stdout, '');
    });
  }
});

describe('-tt with stdout into a pipe', () => {
  let sshd: SshdHandle;
  let tmp: TempDir;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    sshd = await startSshd();
    tmp = makeTempDir('tidy-pipe');
    env = isolatedClientEnv(tmp.path);
  });
  after(async () => {
    await sshd?.close();
    tmp?.close();
  });

  test('gives the session\'s text as the pty wrote it, with no screen clear or redraw, and its status', async () => {
    const r = await runStayssh([...clientArgs(sshd, { extra: ['-tt', '--mux', 'tmux'] }), 'echo hello; printf "%s\\n" "two  spaces"; exit 3'], { env });
    assert.equal(r.code, 3, r.stderr);
    // What `ssh -tt host CMD | cat` gives: the pty's CR LF, nothing of tmux's drawing.
    assert.equal(r.stdout, 'hello\r\ntwo  spaces\r\n');
    assert.equal(r.stderr, '');
  });

  test('a session that ends during an outage gives its text at the reattach', async () => {
    const fx = await startProxiedSshd('tidy-pipe-outage');
    try {
      const name = 'ended-alone';
      const args = fx.clientArgs({ options: { ServerAliveInterval: '1', ServerAliveCountMax: '2' }, extra: ['-tt', '--session', name] });
      const client = startStayssh([...args, 'echo before; read go; echo after; exit 5'], { env: fx.env });
      const tmuxLs = async () => (await fx.sshd.runAsUser(`tmux -L stayssh ls -F '#{session_name} #{session_attached}' 2>/dev/null`)).stdout;
      await waitFor(async () => (await tmuxLs()).includes(`${name} 1`), { what: `${name} attached`, timeoutMs: SESSION_START_MS });
      await fx.proxy.refuse();
      fx.proxy.reset();
      await waitFor(async () => (await tmuxLs()).includes(`${name} 0`), { what: `${name} detached by the outage` });
      // The command ends while no client is attached; its status and text wait on the server.
      await fx.sshd.runAsUser(`tmux -L stayssh send-keys -t =${name}: Enter`);
      await waitFor(async () => !(await tmuxLs()).includes(name), { what: `${name} to end` });
      await fx.proxy.restore();
      const r = await client.exited;
      assert.equal(r.code, 5, r.stderr);
      assert.equal(r.stdout, 'before\r\n\r\nafter\r\n');
    } finally {
      await fx.close();
    }
  });
});
