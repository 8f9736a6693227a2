import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EscapeParser,
  helpText,
  parseEscapeCharOption,
  showEscapeChar,
  type EscapeEvent,
} from '../../src/terminal/escape-parser.js';
import { StaysshError } from '../../src/errors.js';

/** Events in a comparable form: data as strings, adjacent data merged. */
type Ev = string | { cmd: string };
function norm(events: EscapeEvent[]): Ev[] {
  const out: Ev[] = [];
  for (const e of events) {
    if (e.kind === 'command') out.push({ cmd: e.command });
    else if (typeof out.at(-1) === 'string') out[out.length - 1] = (out.at(-1) as string) + e.data.toString('latin1');
    else out.push(e.data.toString('latin1'));
  }
  return out;
}

function whole(input: string, esc: string | number = '~'): Ev[] {
  return norm(new EscapeParser(esc).push(Buffer.from(input, 'latin1')));
}

function byteByByte(input: string, esc: string | number = '~'): Ev[] {
  const p = new EscapeParser(esc);
  const all: EscapeEvent[] = [];
  for (const b of Buffer.from(input, 'latin1')) all.push(...p.push(Buffer.of(b)));
  return norm(all);
}

/** Every case must give the same result whole and split at every byte. */
function check(input: string, expected: Ev[], esc: string | number = '~'): void {
  assert.deepEqual(whole(input, esc), expected, `whole ${JSON.stringify(input)}`);
  assert.deepEqual(byteByByte(input, esc), expected, `byte by byte ${JSON.stringify(input)}`);
}

test('every command after a newline, and at the very start', () => {
  check('~.', [{ cmd: 'detach' }]);
  check('ls\r~.', ['ls\r', { cmd: 'detach' }]);
  check('ls\n~\x1a', ['ls\n', { cmd: 'suspend' }]);
  check('\r~#', ['\r', { cmd: 'list-forwards' }]);
  check('\r~?', ['\r', { cmd: 'help' }]);
  check('\r~R', ['\r', { cmd: 'redial' }]);
});

test('~~ sends one tilde, and the next tilde is not an escape', () => {
  check('\r~~', ['\r~']);
  check('\r~~.', ['\r~.']);
  check('~~~.', ['~~.']);
});

test('~ followed by anything else sends both characters', () => {
  check('\r~x', ['\r~x']);
  check('\r~r', ['\r~r']); // only uppercase R re-dials
  check('\r~\r~.', ['\r~\r', { cmd: 'detach' }]); // ~ then CR: both sent, CR starts a new line
});

test('tilde not after a newline is plain data', () => {
  check('a~.', ['a~.']);
  check('echo ~/x\r', ['echo ~/x\r']);
  check('x\r\ry~.', ['x\r\ry~.']);
});

test('commands keep the after-newline state: ~? then ~. works without Enter', () => {
  check('\r~?~.', ['\r', { cmd: 'help' }, { cmd: 'detach' }]);
  check('~R~Rok', [{ cmd: 'redial' }, { cmd: 'redial' }, 'ok']);
});

test('data after a command keeps flowing, in order', () => {
  check('a\r~#b\r~.c', ['a\r', { cmd: 'list-forwards' }, 'b\r', { cmd: 'detach' }, 'c']);
});

test('a lone tilde at the end of a chunk is held until the next byte', () => {
  const p = new EscapeParser('~');
  assert.deepEqual(norm(p.push(Buffer.from('ls\r~'))), ['ls\r']);
  assert.equal(p.pending, true);
  assert.deepEqual(norm(p.push(Buffer.from('.'))), [{ cmd: 'detach' }]);
  assert.equal(p.pending, false);
  assert.deepEqual(norm(p.push(Buffer.from('\r~'))), ['\r']);
  assert.deepEqual(norm(p.push(Buffer.from('z'))), ['~z']);
  assert.deepEqual(p.push(Buffer.alloc(0)), []);
});

test('LF counts as a newline as well as CR', () => {
  check('a\n~.', ['a\n', { cmd: 'detach' }]);
});

test('a different escape character, including a control character', () => {
  check('\r~.\r%.', ['\r~.\r', { cmd: 'detach' }], '%');
  check('\r\x1d.', ['\r', { cmd: 'detach' }], '^]');
  check('\r\x1d\x1d', ['\r\x1d'], 0x1d);
});

test('none disables escapes entirely', () => {
  const p = new EscapeParser('none');
  assert.deepEqual(norm(p.push(Buffer.from('~.\r~.'))), ['~.\r~.']);
  assert.deepEqual(p.push(Buffer.alloc(0)), []);
});

test('binary input passes through untouched', () => {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i).filter((b) => b !== 0x7e));
  const out = new EscapeParser('~').push(all);
  assert.equal(out.length, 1);
  assert.deepEqual(out[0], { kind: 'data', data: all });
});

test('parseEscapeCharOption accepts what ssh -e accepts', () => {
  assert.equal(parseEscapeCharOption('~'), 0x7e);
  assert.equal(parseEscapeCharOption('%'), 0x25);
  assert.equal(parseEscapeCharOption('^'), 0x5e);
  assert.equal(parseEscapeCharOption('^]'), 0x1d);
  assert.equal(parseEscapeCharOption('^a'), 0x01);
  assert.equal(parseEscapeCharOption('^A'), 0x01);
  assert.equal(parseEscapeCharOption('none'), 'none');
  for (const bad of ['', 'ab', '^?', '^1', 'é', 'NONE', '^]]']) {
    assert.throws(() => parseEscapeCharOption(bad), (e: unknown) => e instanceof StaysshError && /bad escape character/.test(e.message), bad);
  }
  assert.throws(() => new EscapeParser('xy'), StaysshError);
});

test('help text lists every stayssh escape with the real escape character', () => {
  const t = helpText('~');
  for (const s of ['~.', '~R', '~^Z', '~#', '~?', '~~']) assert.ok(t.includes(` ${s} `), s);
  assert.ok(t.endsWith('\r\n'));
  assert.ok(!/[^\r]\n/.test(t), 'every line ends in CRLF (raw terminal)');
  const c = helpText(0x1d);
  assert.ok(c.includes(' ^]. ') && c.includes(' ^]^] '));
  assert.equal(showEscapeChar('%'), '%');
  assert.equal(showEscapeChar(0x7f), '^?');
});

// tmux asks the terminal who it is at every (re)attach; the answers arrive as input, often
// between the user's Enter and `~.`. They are not typing: `~.` must still detach.
test('the terminal answering a query (DA2, XTVERSION, OSC) between Enter and ~. does not cost the escape', () => {
  const answers = ['\x1b[>84;0;0c', '\x1bP>|tmux 3.3a\x1b\\', '\x1b]11;rgb:0000/0000/0000\x07', '\x1b[?1;2c', '\x1b[I'];
  for (const answer of answers) {
    const p = new EscapeParser('~');
    const events = [...p.push(Buffer.from('ls\r')), ...p.push(Buffer.from(answer)), ...p.push(Buffer.from('~.'))];
    assert.deepEqual(events.at(-1), { kind: 'command', command: 'detach' }, JSON.stringify(answer));
    const sent = Buffer.concat(events.flatMap((e) => (e.kind === 'data' ? [e.data] : []))).toString('latin1');
    assert.equal(sent, `ls\r${answer}`, 'the answer passes through unchanged');
  }
});

test('an answer split across reads is still one answer', () => {
  const p = new EscapeParser('~');
  const events = [...p.push(Buffer.from('\r\x1bP>|tm')), ...p.push(Buffer.from('ux 3.3a\x1b')), ...p.push(Buffer.from('\\~.'))];
  assert.deepEqual(events.at(-1), { kind: 'command', command: 'detach' });
});

test('a key sent as a sequence (an arrow) ends the line start, as in ssh', () => {
  const p = new EscapeParser('~');
  const events = [...p.push(Buffer.from('\r\x1b[A')), ...p.push(Buffer.from('~.'))];
  assert.ok(events.every((e) => e.kind === 'data'), JSON.stringify(events));
  assert.equal(Buffer.concat(events.map((e) => (e.kind === 'data' ? e.data : Buffer.alloc(0)))).toString('latin1'), '\r\x1b[A~.');
});
