import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { enterRawMode, suspendSelf, RESTORE_SIGNALS, type ProcessLike } from '../../src/terminal/raw-mode.js';

class FakeTty {
  isTTY = true;
  isRaw = false;
  calls: boolean[] = [];
  failing = false;
  setRawMode(mode: boolean): void {
    if (this.failing) throw new Error('EIO');
    this.calls.push(mode);
    this.isRaw = mode;
  }
}

class FakeProcess extends EventEmitter implements ProcessLike {
  readonly pid = 4242;
  kills: Array<[number, string]> = [];
  exits: number[] = [];
  kill(pid: number, signal: string): boolean {
    this.kills.push([pid, signal]);
    return true;
  }
  exit(code: number): void {
    this.exits.push(code);
  }
}

test('enters raw mode and restore() puts back the previous mode, once', () => {
  const tty = new FakeTty();
  const proc = new FakeProcess();
  const restore = enterRawMode(tty, proc);
  assert.equal(tty.isRaw, true);
  restore();
  restore();
  assert.deepEqual(tty.calls, [true, false]);
  for (const s of [...RESTORE_SIGNALS, 'exit']) assert.equal(proc.listenerCount(s), 0, s);
});

test('restored on process exit', () => {
  const tty = new FakeTty();
  const proc = new FakeProcess();
  enterRawMode(tty, proc);
  proc.emit('exit', 0);
  assert.equal(tty.isRaw, false);
  assert.equal(proc.listenerCount('exit'), 0);
});

for (const [sig, num] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1], ['SIGQUIT', 3]] as const) {
  test(`${sig} alone: restore, re-raise, then exit ${128 + num} as a fallback`, () => {
    const tty = new FakeTty();
    const proc = new FakeProcess();
    enterRawMode(tty, proc);
    proc.emit(sig, sig);
    assert.equal(tty.isRaw, false);
    assert.deepEqual(proc.kills, [[4242, sig]]);
    assert.deepEqual(proc.exits, [128 + num]);
    assert.equal(proc.listenerCount(sig), 0);
  });
}

test('a signal someone else handles: restore only, they decide', () => {
  const tty = new FakeTty();
  const proc = new FakeProcess();
  let handled = 0;
  proc.on('SIGTERM', () => handled++);
  enterRawMode(tty, proc);
  proc.emit('SIGTERM', 'SIGTERM');
  assert.equal(tty.isRaw, false);
  assert.equal(handled, 1);
  assert.deepEqual(proc.kills, []);
  assert.deepEqual(proc.exits, []);
});

test('keeps raw if it was raw before; a dead terminal does not throw', () => {
  const tty = new FakeTty();
  tty.isRaw = true;
  const restore = enterRawMode(tty, new FakeProcess());
  restore();
  assert.deepEqual(tty.calls, [true, true]);
  const gone = new FakeTty();
  const r2 = enterRawMode(gone, new FakeProcess());
  gone.failing = true;
  assert.doesNotThrow(r2);
});

test('not a TTY: nothing happens', () => {
  const proc = new FakeProcess();
  const restore = enterRawMode({ isTTY: false }, proc);
  restore();
  assert.equal(proc.listenerCount('exit'), 0);
});

test('suspendSelf: cooked, SIGTSTP to self, raw again on SIGCONT', async () => {
  const tty = new FakeTty();
  const proc = new FakeProcess();
  tty.setRawMode(true);
  let resumed = false;
  const p = suspendSelf(tty, proc).then(() => (resumed = true));
  assert.equal(tty.isRaw, false);
  assert.deepEqual(proc.kills, [[4242, 'SIGTSTP']]);
  await Promise.resolve();
  assert.equal(resumed, false);
  proc.emit('SIGCONT');
  await p;
  assert.equal(tty.isRaw, true);
  assert.equal(proc.listenerCount('SIGCONT'), 0);
});
