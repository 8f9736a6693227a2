// The SOCKS request parser: bytes in, steps out, whatever way the bytes are split.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SocksParser, failed, succeeded, type SocksStep } from '../../src/forward/socks-parser.js';

function feedBytewise(bytes: number[]): SocksStep[] {
  const p = new SocksParser();
  return bytes.flatMap((b) => p.push(Buffer.from([b]))).filter((s) => s.kind !== 'more');
}

test('SOCKS5: method selection, then a domain CONNECT, even one byte at a time', () => {
  const name = [...Buffer.from('example.org')];
  const steps = feedBytewise([5, 1, 0, 5, 1, 0, 3, name.length, ...name, 0x01, 0xbb]);
  assert.deepEqual(steps[0], { kind: 'reply', bytes: Buffer.from([5, 0]) });
  assert.deepEqual(steps[1], { kind: 'connect', version: 5, host: 'example.org', port: 443, rest: Buffer.alloc(0) });
});

test('SOCKS5: greeting and request pipelined in one chunk, data behind it kept', () => {
  const steps = new SocksParser().push(Buffer.from([5, 2, 2, 0, 5, 1, 0, 1, 10, 0, 0, 1, 0, 80, 0x41]));
  assert.equal(steps[0]?.kind, 'reply');
  assert.deepEqual(steps[1], { kind: 'connect', version: 5, host: '10.0.0.1', port: 80, rest: Buffer.from('A') });
});

test('SOCKS5: IPv6 addresses; no acceptable method; BIND refused with code 7', () => {
  const v6 = new SocksParser().push(Buffer.from([5, 1, 0, 5, 1, 0, 4, ...new Array<number>(15).fill(0), 1, 0, 22]));
  assert.deepEqual(v6[1], { kind: 'connect', version: 5, host: '0:0:0:0:0:0:0:1', port: 22, rest: Buffer.alloc(0) });
  const noAuth = new SocksParser().push(Buffer.from([5, 1, 2]));
  assert.deepEqual(noAuth[0], { kind: 'fail', bytes: Buffer.from([5, 0xff]), reason: 'client offers no "no authentication" method' });
  const bind = new SocksParser().push(Buffer.from([5, 1, 0, 5, 2, 0, 1, 1, 2, 3, 4, 0, 80]));
  assert.equal(bind[1]?.kind, 'fail');
  assert.equal((bind[1] as { bytes: Buffer }).bytes[1], 7);
});

test('SOCKS4 and SOCKS4a CONNECT', () => {
  const v4 = new SocksParser().push(Buffer.from([4, 1, 0, 80, 127, 0, 0, 1, ...Buffer.from('me'), 0]));
  assert.deepEqual(v4, [{ kind: 'connect', version: 4, host: '127.0.0.1', port: 80, rest: Buffer.alloc(0) }]);
  const v4a = feedBytewise([4, 1, 0x1f, 0x90, 0, 0, 0, 9, 0, ...Buffer.from('localhost'), 0]);
  assert.deepEqual(v4a, [{ kind: 'connect', version: 4, host: 'localhost', port: 8080, rest: Buffer.alloc(0) }]);
});

test('garbage, and a request that never ends, are refused', () => {
  assert.equal(new SocksParser().push(Buffer.from('GET / HTTP/1.1\r\n'))[0]?.kind, 'fail');
  const p = new SocksParser();
  p.push(Buffer.from([4, 1, 0, 80, 1, 2, 3, 4]));
  assert.equal(p.push(Buffer.alloc(2000, 0x41))[0]?.kind, 'fail');
});

test('replies', () => {
  assert.deepEqual(succeeded(4), Buffer.from([0, 0x5a, 0, 0, 0, 0, 0, 0]));
  assert.deepEqual(failed(5, 5), Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0]));
});
