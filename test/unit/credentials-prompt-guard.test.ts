// Prompts while a session reads stdin (src/cli/prompt-guard.ts): the answer goes to the
// prompt and never to the session's listener; the session gets stdin back afterwards,
// flowing and raw as before; over a drawn screen the question sits above the status line.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { guardPrompter, type GuardedInput } from '../../src/cli/prompt-guard.js';
import type { Prompter } from '../../src/transport/prompter.js';

function fakeStdin(): GuardedInput & PassThrough & { raw: boolean[] } {
  const s = new PassThrough() as unknown as GuardedInput & PassThrough & { raw: boolean[] };
  const modes: boolean[] = [];
  Object.assign(s, {
    isTTY: true,
    isRaw: true,
    raw: modes,
    setRawMode(mode: boolean) {
      modes.push(mode);
      (s as { isRaw?: boolean }).isRaw = mode;
      return s;
    },
  });
  return s;
}

const base: Prompter = {
  secret: async () => 'from-base',
  line: async () => 'from-base',
  confirmHostKey: async () => 'no',
};

describe('prompts during a session', () => {
  test('the answer reaches the prompt only; the session listener is back afterwards', async () => {
    const stdin = fakeStdin();
    const session: string[] = [];
    stdin.on('data', (d: Buffer) => session.push(d.toString()));
    const out: string[] = [];
    const p = guardPrompter(base, stdin, { isTTY: true, rows: 30, bytesWritten: 0 }, { write: (s) => out.push(s) });
    const answer = p.secret('Verification code: ');
    stdin.write('123456\r');
    assert.equal(await answer, '123456');
    assert.deepEqual(session, [], 'no key of the answer went to the session');
    assert.equal(out[0], 'Verification code: ', 'before the screen is drawn: in the normal flow');
    stdin.write('ls\r');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(session, ['ls\r'], 'the session reads stdin again');
    assert.equal(stdin.isRaw, true, 'raw mode as the session had it');
  });

  test('over a drawn screen: on the row above the status line, prefixed, cleared after', async () => {
    const stdin = fakeStdin();
    stdin.on('data', () => undefined);
    const out: string[] = [];
    const p = guardPrompter(base, stdin, { isTTY: true, rows: 30, bytesWritten: 5000 }, { write: (s) => out.push(s) });
    const answer = p.secret('Verification code: ');
    stdin.write('42\r');
    assert.equal(await answer, '42');
    assert.equal(out[0], '\x1b[29;1H\x1b[2Kstayssh: Verification code: ');
    assert.ok(!out.includes('\r\n'), 'the Enter does not step onto the status line');
    assert.equal(out.at(-1), '\x1b[29;1H\x1b[2K');
  });

  test('nobody reads stdin (or it is not a terminal): the plain terminal prompt', async () => {
    const stdin = fakeStdin();
    const p = guardPrompter(base, stdin, { isTTY: true }, { write: () => undefined });
    assert.equal(await p.secret('Password: '), 'from-base');
  });
});
