import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, formatStatus, StatusLine, type StatusState } from '../../src/terminal/status-line.js';

const reconnecting: StatusState = {
  phase: 'reconnecting',
  sinceContactMs: 12_400,
  attempt: 3,
  nextAttemptInMs: 3_200,
  lastError: 'connection refused',
  escapeChar: '~',
};

test('durations: seconds, minutes, hours', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(12_999), '12s');
  assert.equal(formatDuration(3_200, 'ceil'), '4s');
  assert.equal(formatDuration(185_000), '3m05s');
  assert.equal(formatDuration(3_725_000), '1h02m');
  assert.equal(formatDuration(-5), '0s');
});

test('width 200: everything', () => {
  assert.equal(
    formatStatus(reconnecting, 200),
    'stayssh: link lost 12s ago · attempt 3 · next in 4s · (connection refused) · Enter ~. to leave',
  );
});

test('width 80: the error goes first, the rest stays', () => {
  const s = formatStatus(reconnecting, 80);
  assert.equal(s, 'stayssh: link lost 12s ago · attempt 3 · next in 4s · Enter ~. to leave');
  assert.ok([...s].length <= 80);
});

test('width 40: terse, still with the time, the next attempt and how to leave', () => {
  const s = formatStatus(reconnecting, 40);
  assert.ok([...s].length <= 40, s);
  assert.equal(s, 'lost 12s · #3 · next 4s · ~. to leave');
});

test('tiny widths cut with an ellipsis, never overflow', () => {
  for (let w = 0; w <= 40; w++) {
    const s = formatStatus(reconnecting, w);
    assert.ok([...s].length <= w, `w=${w}: ${s}`);
  }
  assert.equal(formatStatus(reconnecting, 10), 'lost 12s …');
});

test('each phase says what is happening', () => {
  const base = { sinceContactMs: 6_000, attempt: 0, escapeChar: '~' } as const;
  assert.equal(formatStatus({ ...base, phase: 'doubt' }, 80), 'stayssh: no reply for 6s · checking · Enter ~. to leave');
  assert.equal(formatStatus({ ...base, phase: 'reconnecting', attempt: 1 }, 80), 'stayssh: link lost 6s ago · attempt 1 · dialing · Enter ~. to leave');
  assert.equal(formatStatus({ ...base, phase: 'authenticating', attempt: 2 }, 80), 'stayssh: link lost 6s ago · attempt 2 · authenticating · Enter ~. to leave');
  assert.equal(formatStatus({ ...base, phase: 'attaching', attempt: 2 }, 80), 'stayssh: link lost 6s ago · attempt 2 · reattaching · Enter ~. to leave');
});

test('the real escape character is shown; none shows no leave hint', () => {
  assert.match(formatStatus({ ...reconnecting, escapeChar: '^]' }, 80), /Enter \^\]\. to leave$/);
  assert.match(formatStatus({ ...reconnecting, escapeChar: 0x1d }, 80), /Enter \^\]\. to leave$/);
  assert.doesNotMatch(formatStatus({ ...reconnecting, escapeChar: 'none' }, 200), /leave/);
});

function fakeStream(tty: boolean, columns = 80, rows = 24) {
  const out: string[] = [];
  return { out, stream: { isTTY: tty, columns, rows, hasColors: () => false, write: (s: string) => out.push(s) } };
}

test('on a TTY: drawn on the last row with the cursor saved and restored', () => {
  const { out, stream } = fakeStream(true, 80, 30);
  const line = new StatusLine(stream);
  line.show(reconnecting);
  assert.equal(out.length, 1);
  const w = out[0]!;
  assert.ok(w.startsWith('\x1b7\x1b[30;1H\x1b[2K'), JSON.stringify(w));
  assert.ok(w.endsWith('\x1b8'));
  const text = w.slice('\x1b7\x1b[30;1H\x1b[2K'.length, -2);
  assert.equal(text.length, 79, 'one column short of the width: no pending wrap');
  assert.ok(text.startsWith('stayssh: link lost 12s ago'));
  line.update({ ...reconnecting, sinceContactMs: 13_000 });
  assert.equal(out.length, 2);
  assert.ok(line.visible);
  line.clear();
  assert.equal(out[2], '\x1b7\x1b[30;1H\x1b[2K\x1b8');
  line.clear(); // idempotent
  assert.equal(out.length, 3);
  assert.equal(line.visible, false);
});

test('on a TTY without a known size: 80x24', () => {
  const { out, stream } = fakeStream(true, 0, 0);
  new StatusLine(stream).show(reconnecting);
  assert.ok(out[0]!.startsWith('\x1b7\x1b[24;1H'));
});

test('colors only when the stream has them', () => {
  const { out, stream } = fakeStream(true);
  stream.hasColors = () => true;
  new StatusLine(stream).show(reconnecting);
  assert.ok(out[0]!.includes('\x1b[7m'), 'inverse video bar');
});

test('not a TTY: one plain line per phase change, no escape codes, no ticking', () => {
  const { out, stream } = fakeStream(false);
  const line = new StatusLine(stream);
  line.show({ ...reconnecting, phase: 'doubt' });
  line.update({ ...reconnecting, phase: 'doubt', sinceContactMs: 7000 });
  line.update(reconnecting);
  line.update({ ...reconnecting, sinceContactMs: 20_000 });
  line.update({ ...reconnecting, phase: 'authenticating' });
  line.clear();
  assert.equal(out.length, 3);
  for (const l of out) {
    assert.ok(l.endsWith('\n'));
    assert.ok(!l.includes('\x1b'), 'no escape codes');
  }
  assert.match(out[0]!, /^stayssh: no reply for 12s/);
  assert.match(out[2]!, /authenticating/);
});

test('a known cause (the demo names its cuts) comes first, shortened before the rest is', () => {
  const cut = { ...reconnecting, cause: ['demo cut the link (black hole)', 'demo cut (black hole)'] as const };
  assert.equal(
    formatStatus(cut, 200),
    'stayssh: demo cut the link (black hole) · link lost 12s ago · attempt 3 · next in 4s · (connection refused) · Enter ~. to leave',
  );
  assert.equal(formatStatus(cut, 110), 'stayssh: demo cut the link (black hole) · link lost 12s ago · attempt 3 · next in 4s · Enter ~. to leave');
  assert.equal(formatStatus(cut, 99), 'stayssh: demo cut (black hole) · link lost 12s ago · attempt 3 · next in 4s · Enter ~. to leave');
  // Narrower: the line it would be without a cause.
  assert.equal(formatStatus(cut, 80), formatStatus(reconnecting, 80));
  for (let w = 0; w <= 120; w++) assert.ok([...formatStatus(cut, w)].length <= w, `w=${w}`);
  // No cause given: nothing of the kind is shown.
  assert.doesNotMatch(formatStatus(reconnecting, 200), /demo/);
});
