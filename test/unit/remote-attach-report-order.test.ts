// AttachReportOrder: one `attached`, then one end; an end alone before it; nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttachReportOrder } from '../../src/remote/attach-report-order.js';
import type { ShimReport } from '../../src/remote/types.js';

const ATTACHED: ShimReport = { t: 'attached', name: 's', mux: 'tmux', created: false, others: 0 };
const admitted = (reports: ShimReport[]): ShimReport['t'][] => {
  const order = new AttachReportOrder();
  return reports.filter((r) => order.admit(r)).map((r) => r.t);
};

test('attached, then exactly one end: a second attached or a second end is dropped', () => {
  assert.deepEqual(admitted([ATTACHED, ATTACHED, { t: 'exit', status: 0 }, { t: 'exit', status: 1 }, ATTACHED]), ['attached', 'exit']);
  for (const end of [{ t: 'detached' }, { t: 'gone' }, { t: 'error', code: 'mux-failed', message: 'm' }] as ShimReport[]) {
    assert.deepEqual(admitted([ATTACHED, end, { t: 'gone' }]), ['attached', end.t]);
  }
});

test('before attached: an exit (ended while detached) or an error ends it; detached, gone and others are dropped', () => {
  assert.deepEqual(admitted([{ t: 'exit', status: 9 }, ATTACHED]), ['exit']);
  assert.deepEqual(admitted([{ t: 'error', code: 'no-session', message: 'm' }, ATTACHED]), ['error']);
  assert.deepEqual(admitted([{ t: 'detached' }, { t: 'gone' }, { t: 'killed', name: 'x' }, { t: 'unknown', raw: '' }, ATTACHED]), ['attached']);
});

test('one text before the end, after the attach or without one; a second text, or one after the end, is dropped', () => {
  const text: ShimReport = { t: 'text' };
  assert.deepEqual(admitted([ATTACHED, text, text, { t: 'exit', status: 0 }, text]), ['attached', 'text', 'exit']);
  assert.deepEqual(admitted([text, { t: 'exit', status: 9 }]), ['text', 'exit']);
});
