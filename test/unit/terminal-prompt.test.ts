import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { promptLine, promptSecret, promptYesNo, type PromptTty } from '../../src/terminal/prompt.js';
import { StaysshError } from '../../src/errors.js';
import { demand } from '../harness/requirements.js';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

class FakeTty implements PromptTty {
  readonly input: PassThrough & { setRawMode(mode: boolean): void };
  written = '';
  raw: boolean[] = [];
  closed = 0;
  readonly output = { write: (s: string) => (this.written += s) };
  constructor() {
    const input = new PassThrough() as PassThrough & { setRawMode(mode: boolean): void };
    input.setRawMode = (m: boolean) => void this.raw.push(m);
    this.input = input;
  }
  type(s: string): void {
    this.input.write(Buffer.from(s));
  }
  close(): void {
    this.closed++;
  }
}

test('promptSecret: no echo, backspace edits, Enter ends, terminal released', async () => {
  const tty = new FakeTty();
  const p = promptSecret("alice@host's password: ", { tty });
  tty.type('hunter3');
  tty.type('\x7f2');
  tty.type('\r');
  assert.equal(await p, 'hunter2');
  assert.equal(tty.written, "alice@host's password: \r\n");
  assert.ok(!tty.written.includes('hunter'));
  assert.deepEqual(tty.raw, [true]);
  assert.equal(tty.closed, 1);
});

test('promptSecret: Ctrl-C rejects with StaysshError("interrupted")', async () => {
  const tty = new FakeTty();
  const p = promptSecret('Passphrase: ', { tty });
  tty.type('abc\x03');
  await assert.rejects(p, (e: unknown) => e instanceof StaysshError && e.message === 'interrupted');
  assert.equal(tty.closed, 1);
});

test('end of input from the terminal rejects too', async () => {
  const tty = new FakeTty();
  const p = promptSecret('Password: ', { tty });
  tty.input.end();
  await assert.rejects(p, /interrupted/);
});

test('promptLine: echoes what is typed and the edits', async () => {
  const tty = new FakeTty();
  const p = promptLine('Code: ', { tty });
  tty.type('12x\x7f34\r');
  assert.equal(await p, '1234');
  assert.equal(tty.written, 'Code: 12x\b \b34\r\n');
});

test('promptYesNo: yes / no in any case, a fingerprint, else asks again', async () => {
  for (const [typed, want] of [
    ['yes\r', 'yes'],
    ['YES\r', 'yes'],
    ['no\r', 'no'],
    ['  No \r', 'no'],
    // OpenSSH's confirm(): Enter alone is no, and only the first word counts.
    ['\r', 'no'],
    ['yes please\r', 'yes'],
  ] as const) {
    const tty = new FakeTty();
    const p = promptYesNo('Are you sure you want to continue connecting (yes/no/[fingerprint])? ', { tty });
    tty.type(typed);
    assert.equal(await p, want, typed);
  }
  const tty = new FakeTty();
  const p = promptYesNo('Continue? ', { tty });
  tty.type('maybe\rperhaps\rSHA256:abcDEF+/123\r');
  assert.deepEqual(await p, { fingerprint: 'SHA256:abcDEF+/123' });
  assert.equal(
    tty.written,
    "Continue? maybe\r\nPlease type 'yes', 'no' or the fingerprint: perhaps\r\nPlease type 'yes', 'no' or the fingerprint: SHA256:abcDEF+/123\r\n",
  );
  assert.equal(tty.closed, 1);
});

test('no terminal: a clear StaysshError naming what was wanted', async () => {
  const opener = (what: string): PromptTty => {
    throw new StaysshError(`no terminal to ask for ${what} (BatchMode or no tty)`);
  };
  await assert.rejects(promptSecret('Password: ', { tty: opener, what: 'the password of alice@host' }), {
    message: 'no terminal to ask for the password of alice@host (BatchMode or no tty)',
  });
  await assert.rejects(promptYesNo('?', { tty: opener }), /no terminal to ask for a host key confirmation/);
});

test('the real opener without a controlling terminal (setsid): StaysshError, no hang', () => {
  demand('setsid');
  const mod = fileURLToPath(new URL('../../src/terminal/prompt.js', import.meta.url));
  const code = `import(${JSON.stringify(mod)}).then((m) => m.promptSecret('pw: ', { what: 'a password' })).then(() => console.log('resolved'), (e) => console.log(e.name + ': ' + e.message));`;
  const r = spawnSync('setsid', [process.execPath, '-e', code], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(r.stdout.trim(), 'StaysshError: no terminal to ask for a password (BatchMode or no tty)');
});
