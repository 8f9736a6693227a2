// Self-test of the shim tests' world (test/harness/shim-world.ts): a driver terminal runs
// an exec line, and what it wrote is split into shim reports and plain output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShimWorld } from '../harness/shim-world.js';

test('harness: a driver terminal runs a line and records its raw output', async () => {
  const w = new ShimWorld();
  try {
    const t = w.terminal(`printf 'x\\033]7777;stayssh;t=gone\\007y'; read line`);
    await t.report('gone');
    await t.see('xy');
    assert.equal(t.read().output.replace(/\r?\n/g, ''), 'xy');
    t.type('', 'Enter');
  } finally {
    w.close();
  }
});
