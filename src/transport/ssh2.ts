/**
 * The one place ssh2 is loaded. Every module of ours imports ssh2's runtime from here.
 *
 * Why: ssh2 fills each packet's padding with `crypto.randomFillSync(packet, off, 4..19)`.
 * One such call is ~2 µs when the process is busy, but ~40 µs after even 10 ms of idle
 * (measured here: the call crosses V8 -> C++ -> OpenSSL, all cold after a CPU halt),
 * and a keystroke always arrives after idle: it was the largest single item between a
 * key read and its packet written. ssh2 takes `randomFillSync` from `crypto` once, when
 * its modules load, so we hand it a pooled one for exactly that moment: the bytes still
 * come from the same CSPRNG, fetched 64 KiB at a time, and each pool byte is used once.
 * Nothing else in the process sees the pooled function.
 */
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Ssh2 from 'ssh2';

/** Pool size, bytes: ~4000 keystroke packets' padding per refill. */
const POOL_BYTES = 64 * 1024;
/** Requests above this (none in ssh2 today) go straight to the CSPRNG, bytes. */
const POOLED_MAX_BYTES = 256;

type RandomFill = <T extends NodeJS.ArrayBufferView>(buf: T, offset?: number, size?: number) => T;

/** A randomFillSync drawing from a prefetched pool; each pool byte is handed out once. */
export function pooledRandomFill(fill: RandomFill = crypto.randomFillSync, poolBytes = POOL_BYTES): RandomFill {
  const pool = Buffer.alloc(poolBytes);
  let used = pool.length; // empty until the first request
  return <T extends NodeJS.ArrayBufferView>(buf: T, offset = 0, size?: number): T => {
    const n = size ?? buf.byteLength - offset;
    if (n > POOLED_MAX_BYTES || n > pool.length) return fill(buf, offset, n);
    if (used + n > pool.length) {
      fill(pool);
      used = 0;
    }
    const target = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    target.set(pool.subarray(used, used + n), offset);
    used += n;
    return buf;
  };
}

function loadSsh2(): typeof Ssh2 {
  const original = crypto.randomFillSync;
  crypto.randomFillSync = pooledRandomFill(original);
  try {
    return createRequire(import.meta.url)('ssh2') as typeof Ssh2;
  } finally {
    crypto.randomFillSync = original;
  }
}

const ssh2 = loadSsh2();
export default ssh2;
