// The first login of `stayssh host CMD` survives a reset at each of its steps (issue 16,
// docs/BEHAVIOUR.md §2): before authentication, during it, and while the command starts.
// The engine retries such a fault within ConnectTimeout; the command runs exactly once
// (its start is idempotent by session name) and its output arrives. A typo still fails
// at once: a refused port, a wrong key or a cipher the server does not accept ends the
// run within a second, one line, 255.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../harness/free-port.js';
import { generateKey } from '../harness/keys.js';
import { waitFor } from '../harness/wait-for.js';
import { readEvents } from '../harness/events-file.js';
import { startProxiedSshd, type ProxiedSshd } from '../harness/proxied-sshd.js';
import { cutFirstLoginAt, type LoginStep } from '../harness/ssh-login-steps.js';
import { runStayssh, singleErrorLine } from '../harness/stayssh-cli.js';
import { clientArgs } from '../harness/ssh-client.js';

/** One run with a retried login, ms: two logins and a command on a loaded 2-core box. */
const RUN_TIMEOUT_MS = 30_000;
/** "Fails within a second": from the engine's first `connecting` to its `exit`, ms. */
const FAIL_FAST_MS = 1_000;
/** ...and the whole process, beyond what starting node and stayssh takes here, ms. */
const FAIL_FAST_WALL_SLACK_MS = 1_500;

describe('a reset during the first login of a command is retried; the command runs once', () => {
  let fx: ProxiedSshd;

  before(async () => {
    fx = await startProxiedSshd('first-login');
  });
  after(() => fx?.close());

  /** Server processes of stream session `name`: its attach scripts and its runner. */
  async function streamProcesses(name: string): Promise<string> {
    // [m]: the shell running pgrep has the pattern in its own arguments and must not match.
    const r = await fx.sshd.runAsUser(`pgrep -af 'stayssh-strea[m] (attach|run) ${name}( |$)' | cut -c1-80; true`);
    return r.stdout.trim();
  }

  /**
   * Cuts the first link at `step`, and checks that the command ran exactly once and said
   * so. `events`: what the events file must show (the login retried, never "reconnected").
   * `retryOnceStarted`: the retry is held until the command runs, started by the request
   * the cut link lost, so the retry must join it.
   */
  async function commandRunsOnceDespiteCutAt(step: LoginStep, events: string[], retryOnceStarted = false): Promise<void> {
    const name = `first-${step}`;
    const eventsFile = fx.tmp.join(`${name}.jsonl`);
    const ranFile = `${fx.sshd.userHome}/ran-${name}`;
    const ran = () => (existsSync(ranFile) ? readFileSync(ranFile, 'utf8') : '');
    let release: (() => void) | undefined;
    const cut = cutFirstLoginAt(fx.proxy, step, retryOnceStarted ? () => (release = fx.proxy.holdNewLinks()) : undefined);
    const acceptedBefore = fx.proxy.connectionsAccepted;
    try {
      const args = fx.clientArgs({ extra: ['--session', name, '--events', eventsFile] });
      const running = runStayssh([...args, `echo started >> "${ranFile}"; echo done`], { env: fx.env, timeoutMs: RUN_TIMEOUT_MS });
      if (retryOnceStarted) {
        await waitFor(() => release !== undefined && ran() === 'started\n', { what: 'the command started by the lost request', timeoutMs: RUN_TIMEOUT_MS });
        release?.();
      }
      const r = await running;
      assert.ok(cut.done, `the first link was cut at ${step}`);
      assert.equal(r.stdout, 'done\n', `stderr: ${r.stderr}`);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(fx.proxy.connectionsAccepted - acceptedBefore >= 2, 'stayssh dialed again after the cut');
      assert.deepEqual(readEvents(eventsFile).map((e) => e.event), events);
    } finally {
      cut.stop();
      release?.();
    }
    // A start sent on the cut link may still be running on the server: wait for every
    // process of the session to end before counting how often the command ran.
    let left = '';
    await waitFor(async () => (left = await streamProcesses(name)) === '', { what: `no process of stream session ${name} left`, detail: () => left });
    assert.equal(ran(), 'started\n', 'the command ran exactly once');
  }

  test('a reset during key exchange (before authentication)', () =>
    commandRunsOnceDespiteCutAt('key-exchange', ['connecting', 'connecting', 'connected', 'attached', 'exit']));

  test('a reset during authentication', () =>
    commandRunsOnceDespiteCutAt('authentication', ['connecting', 'connecting', 'connected', 'attached', 'exit']));

  test('a reset just after the request that starts the command reached the server', () =>
    commandRunsOnceDespiteCutAt('command-sent', ['connecting', 'connected', 'connecting', 'connected', 'attached', 'exit']));

  test('a reset that loses the server\'s answer to the start: the command runs, the retry joins it', () =>
    commandRunsOnceDespiteCutAt('command-answered', ['connecting', 'connected', 'connecting', 'connected', 'attached', 'exit'], true));
});

describe('a typo in the first login still fails within a second', () => {
  let fx: ProxiedSshd;
  /** How long `stayssh --version` takes here and now: node and the bundle starting, ms. */
  let startupMs: number;

  before(async () => {
    fx = await startProxiedSshd('fail-fast');
    const t0 = Date.now();
    await runStayssh(['--version'], { env: fx.env });
    startupMs = Date.now() - t0;
  });
  after(() => fx?.close());

  async function failsFast(args: string[], pattern: RegExp, proxy = fx.proxy): Promise<void> {
    const acceptedBefore = proxy.connectionsAccepted;
    const eventsFile = fx.tmp.join(`fail-${acceptedBefore}-${Date.now()}.jsonl`);
    const t0 = Date.now();
    const r = await runStayssh(['--events', eventsFile, ...args, 'echo should-not-run'], { env: fx.env });
    const wallMs = Date.now() - t0;
    assert.equal(r.code, 255);
    assert.match(singleErrorLine(r.stderr), pattern);
    assert.equal(r.stdout, '');
    const seen = readEvents(eventsFile);
    assert.deepEqual(seen.map((e) => e.event), ['connecting', 'exit'], 'no retry');
    assert.ok(proxy.connectionsAccepted <= acceptedBefore + 1, 'dialed once');
    const engineMs = Date.parse(seen[1]?.ts ?? '') - Date.parse(seen[0]?.ts ?? '');
    assert.ok(engineMs < FAIL_FAST_MS, `from connecting to exit took ${engineMs} ms`);
    assert.ok(wallMs < startupMs + FAIL_FAST_WALL_SLACK_MS, `the run took ${wallMs} ms (stayssh --version: ${startupMs} ms)`);
  }

  test('a refused port', async () => {
    const port = await freePort();
    await failsFast(clientArgs(fx.sshd, { port }), /connect to host 127\.0\.0\.1 port \d+: connection refused/);
  });

  test('a wrong key (IdentitiesOnly, BatchMode)', async () => {
    const other = await generateKey(fx.tmp.join('not-authorized'));
    await failsFast(fx.clientArgs({ identity: other.privatePath }), /permission denied/i);
  });

  test('a cipher the server does not accept (its setting, not the path)', async () => {
    const strict = await startProxiedSshd('fail-fast-cipher', { extraConfig: ['Ciphers aes256-cbc'] });
    try {
      await failsFast(strict.clientArgs(), /ssh handshake with 127\.0\.0\.1 port \d+ failed: .*no matching .*cipher/i, strict.proxy);
    } finally {
      await strict.close();
    }
  });
});
