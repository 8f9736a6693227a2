import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { currentSize, onResize } from '../../src/terminal/window-size.js';

class FakeStdout extends EventEmitter {
  constructor(
    public columns?: number,
    public rows?: number,
  ) {
    super();
  }
}

test('currentSize: the stream size, or 80x24 when unknown', () => {
  assert.deepEqual(currentSize(new FakeStdout(132, 43)), { cols: 132, rows: 43 });
  assert.deepEqual(currentSize(new FakeStdout()), { cols: 80, rows: 24 });
  assert.deepEqual(currentSize(new FakeStdout(0, 0)), { cols: 80, rows: 24 });
  assert.deepEqual(currentSize(new FakeStdout(100, Number.NaN)), { cols: 100, rows: 24 });
});

test('onResize: every real change at once, unchanged sizes skipped, disposer stops it', () => {
  const out = new FakeStdout(80, 24);
  const seen: string[] = [];
  const dispose = onResize(out, (c, r) => seen.push(`${c}x${r}`));
  out.emit('resize'); // spurious SIGWINCH
  out.columns = 100;
  out.emit('resize');
  out.rows = 50;
  out.emit('resize');
  out.emit('resize');
  dispose();
  dispose();
  out.columns = 120;
  out.emit('resize');
  assert.deepEqual(seen, ['100x24', '100x50']);
  assert.equal(out.listenerCount('resize'), 0);
});
