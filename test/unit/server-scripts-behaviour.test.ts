// The compactor keeps behaviour: each server-side script run as written (its parts
// joined, comments and all) and as the transport form the client sends, under dash, in
// two identical private worlds, answers every operation here with the same bytes, the
// same exit status and the same files left behind. And both scripts hold the same
// session-name rule as the client.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { SHIM_SCRIPT } from '../../src/remote/shim-script.js';
import { isValidSessionName } from '../../src/remote/types.js';
import { STREAM_SCRIPT } from '../../src/stream/stream-script.js';
import { compactor, installed, requireTool, transportEntry } from './server-scripts-helpers.js';

/** One stream attach, start to exit, ms: well under a second on an idle machine. */
const ATTACH_TIMEOUT_MS = 20_000;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A private HOME, state dir and multiplexer sockets. */
class World {
  readonly root = mkdtempSync(join(tmpdir(), 'stayssh-scripts-'));
  readonly state = join(this.root, 'state', 'stayssh');
  readonly env: NodeJS.ProcessEnv;

  constructor() {
    for (const d of ['home', 'state', 'tmux', 'screen']) mkdirSync(join(this.root, d), { mode: 0o700 });
    this.env = {
      PATH: process.env.PATH,
      HOME: join(this.root, 'home'),
      XDG_STATE_HOME: join(this.root, 'state'),
      TMUX_TMPDIR: join(this.root, 'tmux'),
      SCREENDIR: join(this.root, 'screen'),
      SHELL: '/bin/sh',
      LANG: 'C.UTF-8',
    };
  }

  run(script: string, argv0: string, args: string[]): Run {
    const r = spawnSync('dash', ['-c', script, argv0, ...args], { env: this.env, encoding: 'utf8', input: '' });
    return { status: r.status, stdout: r.stdout, stderr: withoutLineNumbers(r.stderr) };
  }

  /** A session state dir with these files (`created` 0: long ago, unless given). */
  stateDir(name: string, files: Record<string, string>, exitAgeDays = 0): void {
    const dir = join(this.state, 'sessions', name);
    mkdirSync(dir, { recursive: true });
    for (const [f, text] of Object.entries({ created: '0\n', ...files })) writeFileSync(join(dir, f), text);
    if (exitAgeDays > 0) {
      const t = Date.now() / 1000 - exitAgeDays * 86_400;
      utimesSync(join(dir, 'exit'), t, t);
    }
  }

  sessions(): string[] {
    const dir = join(this.state, 'sessions');
    return existsSync(dir) ? readdirSync(dir).sort() : [];
  }

  tmux(...args: string[]): void {
    spawnSync('tmux', ['-L', 'stayssh', '-f', '/dev/null', ...args], { env: this.env, stdio: 'ignore' });
  }

  close(): void {
    this.tmux('kill-server');
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** dash's own messages name the script's line, which compacting makes 1. */
function withoutLineNumbers(stderr: string): string {
  return stderr.replace(/^(stayssh-\w+): \d+: /gm, '$1: LINE: ');
}

const worlds: World[] = [];
after(() => worlds.forEach((w) => w.close()));

/** The same steps in two worlds: the script as written, and its transport form. */
function pair(): [World, World] {
  const p: [World, World] = [new World(), new World()];
  worlds.push(...p);
  return p;
}

function needed(t: TestContext, tools: string[]): boolean {
  return tools.every((tool) => requireTool(t, tool, installed([tool], tool === 'dash' ? ['-c', 'true'] : ['-V'])));
}

describe('the shim, as written and compacted, under dash', () => {
  const written = compactor.assemble(transportEntry('shim'), { compact: false });
  const ops = (w: World, script: string) => {
    // A live session (its name holds a dot: tmux's , mapping), one gone with a status to
    // collect, stale dirs to prune and dirs to keep.
    w.tmux('new-session', '-d', '-s', 'live,1', 'sleep 60');
    w.stateDir('live.1', { mux: 'tmux\n', created: '1700000000\n', cmd: "vim 'x y'" });
    w.stateDir('ended', { mux: 'tmux\n', cmd: '', exit: '7\n' });
    w.stateDir('stale', { mux: 'tmux\n' });
    w.stateDir('young', { mux: 'tmux\n', created: `${Math.floor(Date.now() / 1000)}\n` });
    w.stateDir('collected', { mux: 'tmux\n', exit: '0\n' });
    w.stateDir('forgotten', { mux: 'tmux\n', exit: '0\n' }, 2);
    w.stateDir('str', { mux: 'stream\n' });
    // Detached, created long ago though used just now (prune ends it), and one whose
    // `created` is unreadable: tmux's own account (just now) counts then (kept).
    w.tmux('new-session', '-d', '-s', 'old', 'sleep 60');
    w.stateDir('old', { mux: 'tmux\n', created: '1000\n', used: `${Math.floor(Date.now() / 1000)}\n` });
    w.tmux('new-session', '-d', '-s', 'fresh', 'sleep 60');
    w.stateDir('fresh', { mux: 'tmux\n', created: 'x\n' });
    const steps: [string, Run, string[]][] = [];
    const step = (...args: string[]) => steps.push([args.join(' '), w.run(script, 'stayssh-shim', args), w.sessions()]);
    step('probe');
    step('list', 'auto');
    step('list', 'bogus');
    step('attach', 'ended', 'auto', '0', '0', 'screen', '');
    step('attach', 'str', 'auto', '1', '0', 'screen', '');
    step('attach', 'new', 'tmux', '1', '0', 'screen', 'echo hi', 'LANG=C.UTF-8');
    step('attach', 'new', 'tmux', '1', 'soon', 'screen', '');
    step('attach', 'new', 'tmux', '1', '0', 'fancy', '');
    step('attach', 'new');
    step('kill', 'live.1');
    step('kill', 'nosuch');
    step('kill', '-x');
    step('prune', '86400');
    step('prune', '1d');
    step('frobnicate');
    return steps;
  };

  it('answers the same to every operation, leaving the same state', (t) => {
    if (!needed(t, ['dash', 'tmux'])) return;
    const [a, b] = pair();
    const asWritten = ops(a, written);
    const compacted = ops(b, SHIM_SCRIPT);
    assert.deepEqual(compacted, asWritten);
    // The steps did what they are for (not merely the same thing twice).
    const byStep = new Map(asWritten.map(([s, r, dirs]) => [s, { ...r, dirs }]));
    assert.match(byStep.get('list auto')!.stdout, /t=session name=live\.1 state=detached created=1700000000 mux=tmux command_x=76696d202778207927/);
    assert.deepEqual(byStep.get('list auto')!.dirs, ['collected', 'ended', 'fresh', 'live.1', 'old', 'str', 'young']);
    assert.equal(byStep.get('attach ended auto 0 0 screen ')!.status, 7);
    assert.match(byStep.get('attach ended auto 0 0 screen ')!.stdout, /t=exit status=7/);
    assert.match(byStep.get('attach new tmux 1 0 screen echo hi LANG=C.UTF-8')!.stdout, /code=mux-failed/);
    assert.match(byStep.get('attach new tmux 1 soon screen ')!.stdout, /code=bad-args/);
    assert.match(byStep.get('attach new tmux 1 0 fancy ')!.stdout, /code=bad-args/);
    assert.match(byStep.get('kill live.1')!.stdout, /t=killed name=live\.1/);
    // prune ends the old detached session by its creation, whatever its last use; one of
    // unknown age stays.
    assert.equal(byStep.get('prune 86400')!.stdout.match(/t=killed name=[\w.-]+/g)?.join(' '), 't=killed name=old');
    assert.ok(!byStep.get('prune 86400')!.dirs.includes('old'));
    assert.ok(byStep.get('prune 86400')!.dirs.includes('fresh'));
    assert.match(byStep.get('prune 1d')!.stdout, /code=bad-args/);
    assert.match(byStep.get('kill -x')!.stdout, /code=bad-name/);
    assert.equal(byStep.get('frobnicate')!.status, 2);
  });
});

describe('the stream script, as written and compacted, under dash', () => {
  const written = compactor.assemble(transportEntry('stream'), { compact: false });

  /** An attach creating session `name`, its stdin open as a channel's is, to its exit. */
  async function attach(w: World, script: string, name: string, command: string): Promise<Run> {
    const args = ['attach', name, '0', '0', '0', '1', command, script];
    const child = spawn('dash', ['-c', script, 'stayssh-stream', ...args], { env: w.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let timer: NodeJS.Timeout | undefined;
    const status = await Promise.race([
      new Promise<number | null>((resolve) => child.on('close', resolve)),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`attach ${name} did not end`)), ATTACH_TIMEOUT_MS))),
    ]).finally(() => clearTimeout(timer));
    child.stdin.destroy();
    return { status, stdout, stderr: withoutLineNumbers(stderr) };
  }

  async function ops(w: World, script: string): Promise<[string, Run][]> {
    const steps: [string, Run][] = [];
    const step = (...args: string[]) => steps.push([args.join(' '), w.run(script, 'stayssh-stream', args)]);
    steps.push(['attach s1', await attach(w, script, 's1', 'echo out; echo err >&2; exit 3')]);
    // Created times differ between the worlds by a second at most: not compared.
    step('list');
    steps.at(-1)![1].stdout = steps.at(-1)![1].stdout.replace(/^(s1 detached) \d+ /m, '$1 CREATED ');
    step('ctl', 's1', '4', '4', '0');
    step('signal', 's1', 'TERM');
    step('fin', 's1');
    step('ctl', 's1', '0', '0', '0');
    step('attach', 's1', '0', '0', '0', '0', '', '');
    step('hangup', 'nosuch');
    step('ctl', 'x'.repeat(65), '0', '0', '0');
    step('bogus', 's1');
    return steps;
  }

  it('answers the same to every operation', async (t) => {
    if (!needed(t, ['dash'])) return;
    const [a, b] = pair();
    const asWritten = await ops(a, written);
    const compacted = await ops(b, STREAM_SCRIPT);
    assert.deepEqual(compacted, asWritten);
    const byStep = new Map(asWritten);
    assert.deepEqual(byStep.get('attach s1'), { status: 3, stdout: 'out\n', stderr: 'stayssh-stream 1 in=0 out=0 err=0\nerr\n' });
    assert.equal(byStep.get('list')!.stdout, 's1 detached CREATED echo out; echo err >&2; exit 3\n');
    assert.equal(byStep.get('ctl s1 0 0 0')!.stdout, 'error=no-session\n');
  });
});

describe('the session-name rule', () => {
  const names = ['a', 'A.b_c-1', '0', 'x'.repeat(64), 'x'.repeat(65), '', '-x', '.x', '_x', 'a b', 'a/b', 'a;b', 'é', 'a\nb'];

  it('is the same in the shim, the stream script and the client', (t) => {
    if (!needed(t, ['dash'])) return;
    const [w] = pair();
    for (const name of names) {
      // Both scripts answer a valid name they do not know with "no such session".
      const shim = w.run(SHIM_SCRIPT, 'stayssh-shim', ['kill', name]);
      const stream = w.run(STREAM_SCRIPT, 'stayssh-stream', ['ctl', name, '0', '0', '0']);
      const shimValid = !/code=bad-name/.test(shim.stdout);
      const streamValid = !/error=bad-name/.test(stream.stderr);
      assert.deepEqual({ name, shimValid, streamValid }, { name, shimValid: isValidSessionName(name), streamValid: isValidSessionName(name) });
    }
  });
});
