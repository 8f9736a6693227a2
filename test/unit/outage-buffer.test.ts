import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutageBuffer, OUTAGE_BUFFER_MAX, utf8Boundary } from '../../src/session/outage-buffer.js';

test('keeps keystrokes in order and drains them once', () => {
  const b = new OutageBuffer();
  assert.equal(b.push(Buffer.from('ls')), true);
  assert.equal(b.push(Buffer.from(' -l\r')), true);
  assert.equal(b.size, 6);
  assert.equal(b.drain().toString(), 'ls -l\r');
  assert.equal(b.size, 0);
  assert.equal(b.drain().length, 0);
});

test('4 KiB by default: exactly full is accepted, one more byte is refused', () => {
  const b = new OutageBuffer();
  assert.equal(OUTAGE_BUFFER_MAX, 4096);
  assert.equal(b.push(Buffer.alloc(4096, 0x61)), true);
  assert.equal(b.size, 4096);
  assert.equal(b.push(Buffer.from('x')), false);
  assert.equal(b.size, 4096);
  assert.equal(b.dropped, 1);
  const out = b.drain();
  assert.equal(out.length, 4096);
  assert.equal(b.dropped, 0);
});

test('a chunk that overflows keeps the prefix that fits, drops the rest', () => {
  const b = new OutageBuffer(10);
  b.push(Buffer.from('1234567'));
  assert.equal(b.push(Buffer.from('abcdef')), false);
  assert.equal(b.drain().toString(), '1234567abc');
});

test('never cuts a UTF-8 character in half', () => {
  const b = new OutageBuffer(5);
  b.push(Buffer.from('abc'));
  assert.equal(b.push(Buffer.from('é€')), false); // é is 2 bytes: fits; € (3) does not
  assert.equal(b.drain().toString(), 'abcé');
  const c = new OutageBuffer(4);
  c.push(Buffer.from('ab'));
  c.push(Buffer.from('€'));
  assert.equal(c.drain().toString(), 'ab');
});

test('copies input, so a reused caller buffer does not change what is kept', () => {
  const b = new OutageBuffer();
  const chunk = Buffer.from('abc');
  b.push(chunk);
  chunk.fill(0x7a);
  assert.equal(b.drain().toString(), 'abc');
});

test('utf8Boundary on edge cases', () => {
  const s = Buffer.from('a😀b'); // 1 + 4 + 1
  assert.equal(utf8Boundary(s, 0), 0);
  assert.equal(utf8Boundary(s, 1), 1);
  assert.equal(utf8Boundary(s, 3), 1);
  assert.equal(utf8Boundary(s, 5), 5);
  assert.equal(utf8Boundary(s, 100), 6);
  assert.equal(utf8Boundary(Buffer.from([0xff, 0xfe, 0x80]), 2), 2); // binary: raw
  assert.equal(utf8Boundary(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x41]), 4), 4);
});

test('empty push is fine; bad capacity refused', () => {
  const b = new OutageBuffer(0);
  assert.equal(b.push(Buffer.alloc(0)), true);
  assert.equal(b.push(Buffer.from('a')), false);
  assert.throws(() => new OutageBuffer(-1), RangeError);
});
