// Bookkeeping of stream mode: stdin offsets held until the server confirms them, the
// attach header split off the stderr stream byte-exactly, list parsing, Ctrl-C relay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../src/platform/clock.js';
import { InterruptRelay } from '../../src/stream/interrupt.js';
import { StdinSpool } from '../../src/stream/stdin-spool.js';
import { HeaderSplitter, parseAttachHeader } from '../../src/stream/attach-header.js';
import { parseStreamList } from '../../src/stream/stream-manage.js';
import { attachCommand } from '../../src/stream/stream-commands.js';
import { STREAM_SCRIPT } from '../../src/stream/stream-script.js';

const cat = (bs: Buffer[]) => Buffer.concat(bs).toString();

describe('StdinSpool', () => {
  it('continues after the stdin another client fed when joining its session', () => {
    const s = new StdinSpool();
    s.push(Buffer.from('ab'));
    s.markEof();
    s.rebase(10);
    assert.deepEqual([s.base, s.end, s.eof], [10, 12, 12]);
    assert.equal(cat(s.from(10)), 'ab');
    s.confirm(11);
    assert.throws(() => s.rebase(5), /after a confirmation/);
  });

  it('resends exactly from the offset the server confirms, across chunk boundaries', () => {
    const s = new StdinSpool();
    s.push(Buffer.from('abc'));
    s.push(Buffer.from('defg'));
    assert.equal(cat(s.from(0)), 'abcdefg');
    s.confirm(4);
    assert.equal(s.base, 4);
    assert.equal(s.held, 3);
    assert.equal(cat(s.from(4)), 'efg');
    assert.equal(cat(s.from(6)), 'g');
    s.confirm(2); // stale confirmation: ignored
    assert.equal(s.base, 4);
    s.confirm(7);
    assert.equal(s.held, 0);
    assert.deepEqual(s.from(7), []);
  });

  it('refuses a confirmation beyond what was sent, and offsets outside the held range', () => {
    const s = new StdinSpool();
    s.push(Buffer.from('xy'));
    assert.throws(() => s.confirm(3), /only 2/);
    s.confirm(1);
    assert.throws(() => s.from(0), /outside/);
  });

  it('records EOF at the total length and refuses data after it', () => {
    const s = new StdinSpool();
    s.push(Buffer.from('12345'));
    s.markEof();
    s.markEof();
    assert.equal(s.eof, 5);
    assert.throws(() => s.push(Buffer.from('6')));
  });
});

describe('attach header', () => {
  it('parses sizes and errors, nothing else', () => {
    assert.deepEqual(parseAttachHeader('stayssh-stream 1 in=42 out=7 err=0'), { ok: true, inSize: 42, outFrom: 7, errFrom: 0 });
    assert.equal(parseAttachHeader('stayssh-stream 1 in=42'), undefined, 'offsets are part of the header');
    assert.deepEqual(parseAttachHeader('stayssh-stream 1 error=no-session'), { ok: false, error: 'no-session' });
    assert.equal(parseAttachHeader('sh: 1: syntax error'), undefined);
  });

  it('splits the header from binary stderr bytes even when it arrives in pieces', () => {
    const h = new HeaderSplitter();
    assert.equal(h.feed(Buffer.from('stayssh-str')).header, undefined);
    const r = h.feed(Buffer.concat([Buffer.from('eam 1 in=7 out=0 err=0\n'), Buffer.from([0, 255, 10])]));
    assert.deepEqual(r.header, { ok: true, inSize: 7, outFrom: 0, errFrom: 0 });
    assert.deepEqual([...r.rest], [0, 255, 10]);
    assert.deepEqual([...h.feed(Buffer.from('x')).rest], [120]);
  });

  it('calls a foreign first line garbage and keeps its text', () => {
    const h = new HeaderSplitter();
    assert.equal(h.feed(Buffer.from('bash: sh: not found\n')).header, 'garbage');
    assert.match(h.pending(), /not found/);
  });
});

describe('stream script and commands', () => {
  it('is one line without a backslash', () => {
    assert.ok(!STREAM_SCRIPT.includes('\n'));
    assert.ok(!STREAM_SCRIPT.includes('\\'));
  });

  it('quotes every argument of an attach', () => {
    const c = attachCommand({ name: 'n1', from: { outOffset: 5, errOffset: 6 }, eofAt: undefined, create: true, command: "echo 'hi'; rm -rf $HOME" });
    assert.match(c, /^exec sh -c '/);
    assert.ok(c.includes(`attach n1 5 6 -1 1 'echo '\\''hi'\\''; rm -rf $HOME'`));
    const joining = attachCommand({ name: 'n1', from: 'acknowledged', eofAt: 3, create: true, command: 'cat' });
    assert.ok(joining.includes(`attach n1 -1 -1 3 1 cat`), joining);
  });
});

describe('parseStreamList', () => {
  it('reads NAME STATE CREATED COMMAND lines', () => {
    const l = parseStreamList('a1 detached 1700000000 make all\nb2 attached 1700000001 \n');
    assert.deepEqual(l.map((e) => [e.name, e.state, e.command]), [['a1', 'detached', 'make all'], ['b2', 'attached', '']]);
    assert.equal(l[0]?.created, 1700000000);
  });
});

describe('InterruptRelay', () => {
  it('forwards one Ctrl-C, leaves on a second within a second, forwards again after', () => {
    const clock = new FakeClock();
    const log: string[] = [];
    const r = new InterruptRelay(clock, { forward: () => log.push('fwd'), leave: () => log.push('leave') });
    r.interrupt();
    clock.advance(1_500);
    r.interrupt();
    clock.advance(500);
    r.interrupt();
    r.interrupt();
    assert.deepEqual(log, ['fwd', 'fwd', 'leave']);
  });
});
