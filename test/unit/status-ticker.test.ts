import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/platform/clock.js';
import { StatusTicker } from '../../src/session/status-ticker.js';
import { StatusLine, type StatusState } from '../../src/terminal/status-line.js';

test('the status line is redrawn every second while shown, and erased and still once hidden', () => {
  const clock = new FakeClock();
  const lines: string[] = [];
  const line = new StatusLine({ write: (s: string) => lines.push(s), isTTY: false });
  let n = 0;
  const state = (): StatusState => ({ phase: n++ % 2 ? 'doubt' : 'reconnecting', sinceContactMs: clock.now(), attempt: 1, escapeChar: '~' });
  const ticker = new StatusTicker(line, clock, state);

  ticker.show();
  assert.equal(lines.length, 1);
  clock.advance(999);
  assert.equal(lines.length, 1, 'not before a second');
  clock.advance(1);
  clock.advance(1000);
  // Not a TTY: one line per phase change, and the phase alternates on every redraw.
  assert.equal(lines.length, 3);
  ticker.show(); // shown again: drawn now, still one timer
  clock.advance(1000);
  assert.equal(lines.length, 5);

  ticker.hide();
  clock.advance(10_000);
  assert.equal(lines.length, 5, 'no redraw after hide');
});
