// Stream mode's control questions (how much stdin the server holds, output acknowledged,
// stdin's EOF) on one open channel to the stream script's `ctld` op, through a real sshd:
// answers in order and current, state written where attaches and joiners read it, one
// exec for many questions, and a fresh channel after a failed one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client } from 'ssh2';
import { ControlLine, type ControlLink } from '../../src/stream/control-line.js';
import { execSsh2, useBareSsh2 } from '../harness/bare-ssh2.js';

/** A question's deadline, ms: generous for a loaded 2-core box (answers take a few ms). */
const ANSWER_TIMEOUT_MS = 10_000;
const STATE = 'case $XDG_STATE_HOME in /*) S=$XDG_STATE_HOME/stayssh;; *) S=$HOME/.local/state/stayssh;; esac; d=$S/sessions';

/** The link as ControlLine sees it, counting execs. */
function link(client: Client): ControlLink & { execs: number } {
  const l = {
    execs: 0,
    exec(command: string) {
      l.execs++;
      return execSsh2(client, command);
    },
  };
  return l;
}

describe('stream control line', () => {
  const fx = useBareSsh2();

  async function remote(cmd: string): Promise<string> {
    const r = await fx.server.runAsUser(`${STATE}; ${cmd}`);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  }

  /** A stream session directory with `inBytes` of stdin spooled. */
  async function session(name: string, inBytes: number): Promise<void> {
    await remote(`mkdir -p "$d/${name}" && printf stream >"$d/${name}/mux" && head -c ${inBytes} /dev/zero >"$d/${name}/in"`);
  }

  it('answers every question in order with the stdin size of that moment, all on one channel', async () => {
    await session('up', 1000);
    const l = link(fx.client);
    const line = new ControlLine(l, 'up', ANSWER_TIMEOUT_MS);
    assert.equal(await line.ask(0, 0, undefined), 1000);
    await remote('head -c 234 /dev/zero >>"$d/up/in"');
    // Three at once: answered in the order asked, each after the growth above.
    const answers = await Promise.all([line.ask(0, 0, undefined), line.ask(0, 0, undefined), line.ask(0, 0, undefined)]);
    assert.deepEqual(answers, [1234, 1234, 1234]);
    assert.equal(l.execs, 1, 'one exec for four questions');
    line.close();
  });

  it('records stdin EOF once and the acknowledged output offsets where a joining client reads them', async () => {
    await session('eof', 10);
    const line = new ControlLine(link(fx.client), 'eof', ANSWER_TIMEOUT_MS);
    assert.equal(await line.ask(5, 7, 10), 10);
    assert.equal(await remote('cat "$d/eof/stdin-eof" "$d/eof/acked"'), '10\n5 7\n');
    // EOF is stated once: a later, different total is ignored; acks move on.
    assert.equal(await line.ask(9, 8, 99), 10);
    assert.equal(await remote('cat "$d/eof/stdin-eof" "$d/eof/acked"'), '10\n9 8\n');
    line.close();
  });

  it('a question about a session gone from the server fails; the next one opens a new channel', async () => {
    const l = link(fx.client);
    const line = new ControlLine(l, 'later', ANSWER_TIMEOUT_MS);
    await assert.rejects(line.ask(0, 0, undefined), /unexpected control answer: error=no-session/);
    await session('later', 42);
    assert.equal(await line.ask(0, 0, undefined), 42);
    assert.equal(l.execs, 2);
    line.close();
  });

  it('pending questions fail when the line is closed, instead of waiting out their deadline', async () => {
    await session('closing', 1);
    const line = new ControlLine(link(fx.client), 'closing', ANSWER_TIMEOUT_MS);
    const pending = line.ask(0, 0, undefined);
    line.close();
    await assert.rejects(pending, /control channel closed/);
  });
});
