import { test } from 'node:test';
import assert from 'node:assert/strict';
import ssh2 from '../../src/transport/ssh2.js';
import { pooledRandomFill } from '../../src/transport/ssh2.js';
import crypto, { randomFillSync } from 'node:crypto';

/** A stand-in CSPRNG that writes 1, 2, 3, ... so every byte handed out is traceable. */
function countingFill() {
  let next = 1;
  let calls = 0;
  const fill = <T extends NodeJS.ArrayBufferView>(buf: T, offset = 0, size?: number): T => {
    calls++;
    const view = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    const n = size ?? view.length - offset;
    for (let i = 0; i < n; i++) view[offset + i] = next++ & 0xff;
    return buf;
  };
  return { fill, calls: () => calls };
}

test('padding bytes come from the pool in order, each once, and the pool refills when spent', () => {
  const source = countingFill();
  const fill = pooledRandomFill(source.fill, 16);
  const packet = Buffer.alloc(20, 0xee);
  fill(packet, 5, 6);
  assert.deepEqual([...packet.subarray(5, 11)], [1, 2, 3, 4, 5, 6]);
  assert.equal(packet[4], 0xee, 'bytes before the range untouched');
  assert.equal(packet[11], 0xee, 'bytes after the range untouched');
  fill(packet, 0, 10); // 6 + 10 = 16: exactly the pool
  assert.deepEqual([...packet.subarray(0, 10)], [7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  assert.equal(source.calls(), 1);
  fill(packet, 0, 1); // the pool is spent: a fresh one, never a byte seen before
  assert.equal(packet[0], 17);
  assert.equal(source.calls(), 2);
});

test('requests larger than the pool go to the source directly', () => {
  const source = countingFill();
  const fill = pooledRandomFill(source.fill, 16);
  const big = Buffer.alloc(32);
  fill(big);
  assert.deepEqual([...big.subarray(0, 3)], [1, 2, 3]);
  assert.equal(source.calls(), 1);
});

test('loading ssh2 leaves the rest of the process with the real randomFillSync', () => {
  assert.equal(typeof ssh2.Client, 'function');
  assert.equal(crypto.randomFillSync, randomFillSync, 'node:crypto restored after ssh2 loaded');
});
