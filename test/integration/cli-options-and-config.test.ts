// The command line and stayssh's own config file as a user meets them (docs/BEHAVIOUR.md §1, §6):
// --help and --version; OpenSSH flags after the destination, and a command's own words
// left alone; `$XDG_CONFIG_HOME/stayssh/config` Host blocks (Session, Mux, Events)
// taking effect, the command line winning over them, and a malformed file named with
// file:line; `--mux screen` / `--mux tmux` picking the multiplexer seen on the server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type SshdHandle } from '../harness/sshd.js';
import { isolatedClientEnv } from '../harness/ssh-client.js';
import { waitFor } from '../harness/wait-for.js';
import { startProxiedSshd, type ProxiedSshd } from '../harness/proxied-sshd.js';
import { run } from '../harness/run.js';
import { runStayssh, singleErrorLine, STAYSSH_BIN } from '../harness/stayssh-cli.js';
import { readEvents } from '../harness/events-file.js';

const PROMPT = /\$\s*$/m;
/** Wait for the remote prompt (ms): a login plus a multiplexer start on a loaded 2-core box. */
const PROMPT_TIMEOUT_MS = 15_000;

interface ListedSession {
  name: string;
  state: string;
  mux: string;
}

describe('command line and stayssh config file', () => {
  let fx: ProxiedSshd;
  let sshd: SshdHandle;
  let clients = 0;

  before(async () => {
    fx = await startProxiedSshd('cliopt');
    ({ sshd } = fx);
  });
  after(() => fx?.close());

  /** A fresh client HOME (own XDG_CONFIG_HOME), so each test's config file is its own. */
  function freshClient(): Record<string, string> {
    return isolatedClientEnv(fx.tmp.join(`client-${++clients}`)) as Record<string, string>;
  }

  /** Writes the stayssh config file where this client's XDG_CONFIG_HOME says. */
  function writeStaysshConfig(env: Record<string, string>, lines: string[]): string {
    const path = `${env['XDG_CONFIG_HOME'] ?? ''}/stayssh/config`;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  }

  async function listed(env: Record<string, string>): Promise<ListedSession[]> {
    const r = await runStayssh([...fx.clientArgs(), '--list', '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as ListedSession[];
  }

  /** Session names as the server's screen shows them (`screen -ls`), this sshd's only. */
  async function screenSessions(): Promise<string> {
    return (await sshd.runAsUser('screen -ls 2>&1; true')).stdout;
  }

  async function tmuxSessions(): Promise<string[]> {
    const r = await sshd.runAsUser('tmux -L stayssh list-sessions -F "#{session_name}" 2>/dev/null; true');
    return r.stdout.split('\n').filter((l) => l !== '');
  }

  /** Opens an interactive session, waits for its prompt, returns a way to end it (exit 0). */
  async function interactive(extra: string[], env: Record<string, string>): Promise<() => Promise<void>> {
    const term = await fx.openStayssh(fx.clientArgs({ extra }), env);
    await term.waitForText(PROMPT, { timeoutMs: PROMPT_TIMEOUT_MS });
    return async () => {
      await term.type('exit 0');
      await term.press('Enter');
      assert.deepEqual(await term.waitForExit(), { code: 0, signal: null });
    };
  }

  test('--help prints the usage on stdout and exits 0', async () => {
    const r = await runStayssh(['--help'], { env: freshClient() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^Usage: stayssh .*destination \[command/m);
    for (const option of ['--session', '--mux', '--give-up-after', '--events']) assert.ok(r.stdout.includes(option), `${option} in:\n${r.stdout}`);
  });

  test('--version prints the version of package.json and exits 0', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = await runStayssh(['--version'], { env: freshClient() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), pkg.version);
  });

  test('bin/stayssh runs as its own program (its #! line passes node flags through env -S)', async () => {
    // How users start it (./bin/stayssh, or the npm bin link): no `node` in front.
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = await run(STAYSSH_BIN, ['--version'], { env: freshClient() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), pkg.version);
  });

  test('OpenSSH flags may follow the destination, before the command', async () => {
    // Everything but the destination after it: had -p/-i/-o not been read there, the
    // dial would go to port 22 or fail the host key check.
    const usual = fx.clientArgs();
    const destination = usual.at(-1) ?? '';
    const r = await runStayssh([destination, ...usual.slice(0, -1), 'echo', 'flags-after-destination'], { env: freshClient() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'flags-after-destination\n');
  });

  test("words after the command's first are the command's, even when they look like flags", async () => {
    const r = await runStayssh([...fx.clientArgs(), 'echo', '-p', '1', '-i', 'nokey', '--session', 'x'], { env: freshClient() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '-p 1 -i nokey --session x\n');
  });

  test('a malformed stayssh config file: one line naming file:line, exit 255', async () => {
    const env = freshClient();
    const path = writeStaysshConfig(env, ['Host *', '  Session fine', '  NoSuchKey yes']);
    // Port 1 refuses: the file must be read, and rejected, before any connection.
    const r = await runStayssh(['-p', '1', '127.0.0.1', 'true'], { env });
    assert.match(singleErrorLine(r.stderr), new RegExp(`^stayssh: ${path}:3: .*NoSuchKey`));
    assert.equal(r.code, 255);
    assert.equal(r.stdout, '');
  });

  test('a bad value in the stayssh config file is named with file:line too', async () => {
    const env = freshClient();
    const path = writeStaysshConfig(env, ['Host 127.0.0.1', '  Mux emacs']);
    const r = await runStayssh(['-p', '1', '127.0.0.1', 'true'], { env });
    assert.match(singleErrorLine(r.stderr), new RegExp(`^stayssh: ${path}:2: .*emacs`));
    assert.equal(r.code, 255);
  });

  test('config Events and Session (a matching Host block) apply to a command, without XDG_CONFIG_HOME', async () => {
    const env = freshClient();
    const events = fx.tmp.join('config-stream.jsonl');
    // The default place, ~/.config/stayssh/config, when XDG_CONFIG_HOME is unset.
    delete env['XDG_CONFIG_HOME'];
    const path = `${env['HOME'] ?? ''}/.config/stayssh/config`;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, ['Host elsewhere.example', '  Session not-this-one', `  Events ${fx.tmp.join('wrong.jsonl')}`, 'Host 127.0.0.1', '  Session cfg-stream', `  Events ${events}`, ''].join('\n'));
    const r = await runStayssh([...fx.clientArgs(), 'echo stream-ok'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'stream-ok\n');
    const seen = readEvents(events);
    assert.ok(seen.some((e) => e.event === 'exit'), `an exit event in ${JSON.stringify(seen)}`);
    for (const e of seen) assert.equal(e.session, 'cfg-stream');
    assert.ok(!existsSync(fx.tmp.join('wrong.jsonl')), 'a Host block for another host must not apply');
  });

  test('config Session, Mux screen and Events make an interactive session named so, under screen', async () => {
    const env = freshClient();
    const events = fx.tmp.join('config-interactive.jsonl');
    writeStaysshConfig(env, ['Host 127.0.0.1', '  Session cfg-named', '  Mux screen', `  Events ${events}`]);
    const end = await interactive([], env);

    const mine = (await listed(env)).find((s) => s.name === 'cfg-named');
    assert.deepEqual(mine && { state: mine.state, mux: mine.mux }, { state: 'attached', mux: 'screen' });
    assert.match(await screenSessions(), /\.stayssh-cfg-named\s/);
    assert.ok(!(await tmuxSessions()).includes('cfg-named'), 'not under tmux');
    await waitFor(() => readEvents(events).some((e) => e.event === 'attached' && e.session === 'cfg-named'), { what: 'an attached event for cfg-named', detail: () => JSON.stringify(readEvents(events)) });

    await end();
  });

  test('the command line wins over the config file: --session, --mux tmux, --events', async () => {
    const env = freshClient();
    const fileEvents = fx.tmp.join('loser.jsonl');
    const cliEvents = fx.tmp.join('winner.jsonl');
    writeStaysshConfig(env, ['Host 127.0.0.1', '  Session cfg-loser', '  Mux screen', `  Events ${fileEvents}`]);
    const end = await interactive(['--session', 'cli-winner', '--mux', 'tmux', '--events', cliEvents], env);

    const names = (await listed(env)).map((s) => `${s.name}/${s.mux}`);
    assert.ok(names.includes('cli-winner/tmux'), names.join(' '));
    assert.ok(!names.some((n) => n.startsWith('cfg-loser/')), names.join(' '));
    assert.ok((await tmuxSessions()).includes('cli-winner'));
    assert.doesNotMatch(await screenSessions(), /stayssh-cli-winner/);
    await waitFor(() => readEvents(cliEvents).some((e) => e.event === 'attached' && e.session === 'cli-winner'), { what: 'an attached event in the --events file' });
    assert.ok(!existsSync(fileEvents), 'the config file\'s Events file must not be written');

    await end();
  });

  test('--mux screen puts the session in screen (stayssh-NAME), --mux tmux in tmux', async () => {
    const env = freshClient();
    const endScreen = await interactive(['--session', 'mux-scr', '--mux', 'screen'], env);
    const endTmux = await interactive(['--session', 'mux-tmx', '--mux', 'tmux'], env);

    const screens = await screenSessions();
    const tmuxes = await tmuxSessions();
    assert.match(screens, /\.stayssh-mux-scr\s/);
    assert.ok(!tmuxes.includes('mux-scr'), `mux-scr not in tmux: ${tmuxes.join(' ')}`);
    assert.ok(tmuxes.includes('mux-tmx'), `mux-tmx in tmux: ${tmuxes.join(' ')}`);
    assert.doesNotMatch(screens, /stayssh-mux-tmx/);
    const byName = new Map((await listed(env)).map((s) => [s.name, s.mux]));
    assert.equal(byName.get('mux-scr'), 'screen');
    assert.equal(byName.get('mux-tmx'), 'tmux');

    await endScreen();
    await endTmux();
  });
});
