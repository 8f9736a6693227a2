// One reconnect engine for every mode (issue 16, docs/BEHAVIOUR.md §3 and §5): a reset of
// the link produces the same sequence of events for an interactive shell, a stream
// command and a `-N` tunnel, each run from the command line with `--events FILE`
// against the real sshd behind the fault proxy. Each mode carries data before and after
// the reset, so the sequence is checked on a session that really came back.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { SessionEventName } from '../../src/contracts/events.js';
import { freePort } from '../harness/free-port.js';
import { waitFor } from '../harness/wait-for.js';
import { readEvents } from '../harness/events-file.js';
import { echoVia, startEcho, type EchoServer } from '../harness/forward-tools.js';
import { startProxiedSshd, type ProxiedSshd } from '../harness/proxied-sshd.js';
import { startStayssh } from '../harness/stayssh-cli.js';

/** What every mode reports for one reset, from the first dial to the session back. */
const ONE_RESET: readonly SessionEventName[] = ['connecting', 'connected', 'attached', 'disconnected', 'reconnecting', 'connected', 'reconnected', 'attached'];
/** A login, a re-dial and a reattach on a loaded 2-core box, ms. */
const STEP_TIMEOUT_MS = 20_000;
const PROMPT = /\$\s*$/m;

describe('a reset gives the same events for a shell, a stream command and a -N tunnel', () => {
  let fx: ProxiedSshd;
  let echo: EchoServer;

  before(async () => {
    fx = await startProxiedSshd('parity');
    echo = await startEcho();
  });
  after(async () => {
    await echo?.close();
    await fx?.close();
  });

  const eventNames = (file: string) => readEvents(file).map((e) => e.event);

  /** Resets the link and waits until the session is attached again. */
  async function resetAndWaitForReattach(eventsFile: string, detail: () => string): Promise<void> {
    await waitFor(() => eventNames(eventsFile).length === 3, { what: 'the first attach', timeoutMs: STEP_TIMEOUT_MS, detail });
    fx.proxy.reset();
    await waitFor(() => eventNames(eventsFile).length >= ONE_RESET.length, { what: 'the session attached again', timeoutMs: STEP_TIMEOUT_MS, detail: () => `${eventNames(eventsFile).join(' ')}\n${detail()}` });
  }

  /** The events file shows exactly one reset's sequence (then `tail`), with the downtime. */
  function assertOneResetSequence(eventsFile: string, tail: SessionEventName[]): void {
    const seen = readEvents(eventsFile);
    assert.deepEqual(seen.map((e) => e.event), [...ONE_RESET, ...tail]);
    const reconnected = seen.find((e) => e.event === 'reconnected');
    assert.equal(typeof reconnected?.downtimeMs, 'number', 'reconnected carries downtimeMs');
    assert.ok((reconnected?.downtimeMs ?? -1) >= 0);
  }

  test('an interactive shell', async () => {
    const eventsFile = fx.tmp.join('shell.jsonl');
    const term = await fx.openStayssh(fx.clientArgs({ extra: ['--session', 'parity-shell', '--events', eventsFile] }));
    await term.waitForText(PROMPT, { timeoutMs: STEP_TIMEOUT_MS });
    await term.type('echo before-$((1+1))');
    await term.press('Enter');
    await term.waitForText('before-2');
    await resetAndWaitForReattach(eventsFile, () => '');
    await term.type('echo after-$((2+2))');
    await term.press('Enter');
    await term.waitForText('after-4', { timeoutMs: STEP_TIMEOUT_MS });
    await term.type('exit 0');
    await term.press('Enter');
    assert.deepEqual(await term.waitForExit({ timeoutMs: STEP_TIMEOUT_MS }), { code: 0, signal: null });
    assertOneResetSequence(eventsFile, ['exit']);
  });

  test('a stream command', async () => {
    const eventsFile = fx.tmp.join('stream.jsonl');
    const goAhead = `${fx.sshd.userHome}/parity-go`;
    const command = `echo before; while [ ! -f "${goAhead}" ]; do sleep 0.05; done; echo after`;
    const proc = startStayssh([...fx.clientArgs({ extra: ['--session', 'parity-stream', '--events', eventsFile] }), command], { env: fx.env });
    try {
      await waitFor(() => proc.stdout() === 'before\n', { what: 'the first line', timeoutMs: STEP_TIMEOUT_MS, detail: proc.stderr });
      await resetAndWaitForReattach(eventsFile, proc.stderr);
      // The rest of the output is written only now, and reaches us over the new link.
      writeFileSync(goAhead, '');
      const r = await proc.exited;
      assert.equal(r.stdout, 'before\nafter\n');
      assert.equal(r.code, 0, r.stderr);
      assertOneResetSequence(eventsFile, ['exit']);
    } finally {
      proc.kill();
    }
  });

  test('a -N -L tunnel, which carries data again after the reset', async () => {
    const eventsFile = fx.tmp.join('tunnel.jsonl');
    const port = await freePort();
    const proc = startStayssh([...fx.clientArgs({ extra: ['-N', '-L', `${port}:127.0.0.1:${echo.port}`, '--events', eventsFile] })], { env: fx.env });
    try {
      const carries = async (what: string) =>
        waitFor(async () => (await echoVia(port, what)) === what, { what: `the tunnel to carry "${what}"`, timeoutMs: STEP_TIMEOUT_MS, detail: proc.stderr });
      await carries('before the reset');
      await resetAndWaitForReattach(eventsFile, proc.stderr);
      await carries('after the reset');
      assert.equal(proc.child.exitCode, null, 'the same stayssh process carries on');
      assertOneResetSequence(eventsFile, []);
    } finally {
      proc.kill();
    }
  });
});
