// Self-test of the shim tests' world (test/harness/shim-world.ts): a driver terminal runs
// an exec line, and what it wrote is split into shim reports and plain output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShimWorld } from '../harness/shim-world.js';

test('harness: a driver terminal sends the nonce, runs a line and records its raw output', async () => {
  const w = new ShimWorld();
  try {
    // The first frame needs no nonce; a later one without it is dropped, as the client drops it.
    const t = w.terminal(
      `stty raw -echo; printf ready; n=$(dd bs=1 count=32 2>/dev/null); stty -raw echo; printf '\\033]7777;stayssh;t=detached\\007\\033]7777;stayssh;t=exit status=3\\007x\\033]7777;stayssh;n=%s t=gone\\007y' "$n"; read line`,
    );
    await t.see('ready'); // raw and without echo, as the shim is when it reports
    t.acknowledge(); // the nonce and a newline, as a client sends them (the newline ends `read line`)
    await t.report('gone');
    await t.see('readyxy');
    assert.equal(t.read().output.replace(/\r?\n/g, ''), 'readyxy');
    assert.deepEqual(t.read().reports, [{ t: 'detached' }, { t: 'gone' }]);
  } finally {
    w.close();
  }
});
