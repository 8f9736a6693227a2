import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineEditor } from '../../src/terminal/line-editor.js';

const feedAll = (e: LineEditor, s: string | Buffer) => e.feed(typeof s === 'string' ? Buffer.from(s, 'latin1') : s);

test('Enter ends the line; CR or LF; what follows is returned as typeahead', () => {
  const e = new LineEditor(true);
  const r = feedAll(e, 'abc\rnext');
  assert.equal(r.kind, 'done');
  if (r.kind !== 'done') return;
  assert.equal(r.line, 'abc');
  assert.equal(r.echo, 'abc\r\n');
  assert.equal(r.rest.toString(), 'next');
  const f = feedAll(new LineEditor(true), 'x\n');
  assert.equal(f.kind === 'done' && f.line, 'x');
});

test('backspace and DEL erase one character, with echo only when visible', () => {
  const e = new LineEditor(true);
  assert.deepEqual(feedAll(e, 'ab\x7f'), { kind: 'more', echo: 'ab\b \b' });
  assert.deepEqual(feedAll(e, '\x08\x08'), { kind: 'more', echo: '\b \b' }); // second one: nothing left
  assert.equal(e.text, '');
  const s = new LineEditor(false);
  assert.deepEqual(feedAll(s, 'pw\x7fx'), { kind: 'more', echo: '' });
  assert.equal(s.text, 'px');
});

test('Ctrl-U erases the line, Ctrl-W the last word', () => {
  const e = new LineEditor(true);
  feedAll(e, 'one two  ');
  assert.equal(feedAll(e, '\x17').echo, '\b \b'.repeat(5));
  assert.equal(e.text, 'one ');
  feedAll(e, '\x15');
  assert.equal(e.text, '');
});

test('Ctrl-C interrupts; Ctrl-D is end of input only on an empty line', () => {
  assert.equal(feedAll(new LineEditor(false), 'abc\x03').kind, 'interrupted');
  const e = new LineEditor(false);
  assert.equal(feedAll(e, 'a\x04').kind, 'more');
  assert.equal(e.text, 'a');
  assert.equal(feedAll(new LineEditor(false), '\x04').kind, 'eof');
});

test('arrow keys and other escape sequences are ignored, even split across chunks', () => {
  const e = new LineEditor(true);
  feedAll(e, 'a\x1b[A\x1b[1;5Cb\x1bOPc\x1b');
  feedAll(e, '[');
  feedAll(e, 'D');
  feedAll(e, 'd\x1bxe'); // Alt-x: the x is swallowed with the ESC
  assert.equal(e.text, 'abcde');
});

test('other control characters are not part of an answer', () => {
  const e = new LineEditor(false);
  feedAll(e, 'a\x01\x02\tb');
  assert.equal(e.text, 'ab');
});

test('UTF-8 split across chunks; backspace erases a whole character', () => {
  const e = new LineEditor(false);
  const euro = Buffer.from('€');
  e.feed(euro.subarray(0, 1));
  e.feed(euro.subarray(1));
  e.feed(Buffer.from('é'));
  assert.equal(e.text, '€é');
  feedAll(e, '\x7f');
  const r = feedAll(e, '\r');
  assert.equal(r.kind === 'done' && r.line, '€');
});
