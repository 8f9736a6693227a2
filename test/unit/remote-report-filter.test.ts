// ReportFilter: frames out, everything else through unchanged, whatever the chunking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_FRAME_BYTES, ReportFilter, parseReportOutput } from '../../src/remote/report-filter.js';
import type { ShimReport } from '../../src/remote/types.js';
import { decodeReport } from '../../src/remote/report-codec.js';

const frame = (payload: string): string => `\x1b]7777;stayssh;${payload}\x07`;
const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');

/** Feed `data` cut at the given offsets; collect output, reports and the largest hold-back. */
function run(data: Buffer, cuts: number[]): { out: Buffer; reports: ShimReport[] } {
  const f = new ReportFilter();
  const out: Buffer[] = [];
  const reports: ShimReport[] = [];
  let prev = 0;
  for (const c of [...cuts, data.length]) {
    const r = f.push(data.subarray(prev, c));
    out.push(r.output);
    reports.push(...r.reports);
    prev = c;
  }
  out.push(f.flush());
  return { out: Buffer.concat(out), reports };
}

const STREAM = Buffer.from(
  'login noise\r\n' +
    frame('t=attached name=s1 mux=tmux created=1 others=2') +
    '\x1b[H\x1b[2Jprompt$ \x1b]0;title\x07ls\r\n\x1b]7777;other;x\x07' +
    frame('t=exit status=7'),
  'latin1',
);
const PLAIN =
  'login noise\r\n\x1b[H\x1b[2Jprompt$ \x1b]0;title\x07ls\r\n\x1b]7777;other;x\x07';
const REPORTS: ShimReport[] = [
  { t: 'attached', name: 's1', mux: 'tmux', created: true, others: 2 },
  { t: 'exit', status: 7 },
];

test('one chunk: frames removed, other escapes (even OSC 7777 of others) kept', () => {
  const r = run(STREAM, []);
  assert.equal(r.out.toString('latin1'), PLAIN);
  assert.deepEqual(r.reports, REPORTS);
});

test('split at every byte position, and into single bytes', () => {
  for (let i = 0; i <= STREAM.length; i++) {
    const r = run(STREAM, [i]);
    assert.equal(r.out.toString('latin1'), PLAIN, `cut at ${i}`);
    assert.deepEqual(r.reports, REPORTS, `cut at ${i}`);
  }
  const bytes = run(STREAM, Array.from({ length: STREAM.length }, (_, i) => i));
  assert.equal(bytes.out.toString('latin1'), PLAIN);
  assert.deepEqual(bytes.reports, REPORTS);
});

test('holds back only a possible frame prefix, releases it as soon as it cannot be one', () => {
  const f = new ReportFilter();
  assert.equal(f.push(Buffer.from('abc\x1b]77')).output.toString(), 'abc');
  assert.equal(f.push(Buffer.from('x')).output.toString(), '\x1b]77x');
  assert.equal(f.push(Buffer.from('lone ESC at end \x1b')).output.toString(), 'lone ESC at end ');
  assert.equal(f.push(Buffer.from('[m')).output.toString(), '\x1b[m');
  assert.equal(f.flush().length, 0);
});

test('malformed frames pass through as output; undecodable payloads become unknown', () => {
  const broken = '\x1b]7777;stayssh;t=exit\x1b[31mred\x07';
  const r1 = run(Buffer.from(broken, 'latin1'), []);
  assert.equal(r1.out.toString('latin1'), broken);
  assert.deepEqual(r1.reports, []);

  const r2 = run(Buffer.from(frame('t=exit status=oops') + frame('garbage'), 'latin1'), []);
  assert.equal(r2.out.length, 0);
  assert.deepEqual(r2.reports, [
    { t: 'unknown', raw: 't=exit status=oops' },
    { t: 'unknown', raw: 'garbage' },
  ]);

  const endless = Buffer.from('\x1b]7777;stayssh;' + 'a'.repeat(MAX_FRAME_BYTES), 'latin1');
  const r3 = run(endless, [100]);
  assert.equal(r3.out.toString('latin1'), endless.toString('latin1'));
});

test('unfinished frame at end of stream comes back from flush()', () => {
  const f = new ReportFilter();
  assert.equal(f.push(Buffer.from('x\x1b]7777;stayssh;t=exi')).output.toString(), 'x');
  assert.equal(f.flush().toString(), '\x1b]7777;stayssh;t=exi');
});

test('decodes every report type, hex fields as UTF-8', () => {
  const cmd = 'echo "a\'b" ; echo $HOME\n\\ ü';
  const text =
    frame(`t=session name=a.b state=detached created=1700000000 mux=screen command_x=${hex(cmd)}`) +
    '\n' +
    frame('t=session name=x state=attached created=0 mux=tmux command_x=') +
    frame('t=killed name=x') +
    frame('t=detached') +
    frame('t=gone') +
    frame(`t=error code=no-mux message_x=${hex('neither tmux nor screen')} detail_x=`) +
    frame(`t=error code=mux-failed message_x=${hex('m')} detail_x=${hex('d')}`) +
    frame('t=probe tmux=3.3a screen=') +
    frame('t=attached name=x mux=tmux created=0 others=0');
  const { reports, output } = parseReportOutput(text);
  assert.equal(output, '\n');
  assert.deepEqual(reports, [
    { t: 'session', name: 'a.b', state: 'detached', created: 1700000000, command: cmd, mux: 'screen' },
    { t: 'session', name: 'x', state: 'attached', created: 0, command: '', mux: 'tmux' },
    { t: 'killed', name: 'x' },
    { t: 'detached' },
    { t: 'gone' },
    { t: 'error', code: 'no-mux', message: 'neither tmux nor screen' },
    { t: 'error', code: 'mux-failed', message: 'm', detail: 'd' },
    { t: 'probe', tmux: '3.3a', screen: null },
    { t: 'attached', name: 'x', mux: 'tmux', created: false, others: 0 },
  ]);
});

test('bound to a nonce: after the first frame, frames without it or with another are dropped and not shown', () => {
  const nonce = 'ab'.repeat(16);
  const f = new ReportFilter(nonce);
  const data =
    frame('t=attached name=x mux=tmux created=0 others=0') +
    'a' +
    frame('t=exit status=0') +
    'b' +
    frame(`n=${'cd'.repeat(16)} t=exit status=0`) +
    'c' +
    frame(`n=${nonce} t=exit status=3`) +
    // A forgery split across chunks is dropped the same way.
    '\x1bP' + frame('n= t=gone') + '\x1b\\';
  const r1 = f.push(Buffer.from(data.slice(0, 40), 'latin1'));
  const r2 = f.push(Buffer.from(data.slice(40), 'latin1'));
  assert.equal(Buffer.concat([r1.output, r2.output, f.flush()]).toString('latin1'), 'abc\x1bP\x1b\\');
  assert.deepEqual([...r1.reports, ...r2.reports], [{ t: 'attached', name: 'x', mux: 'tmux', created: false, others: 0 }, { t: 'exit', status: 3 }]);
  assert.equal(f.forged, 3);
});

test('an attached report names the sessions SessionIdleExpiry ended, hex-encoded; a bad name spoils it', () => {
  const hex = (s: string) => Buffer.from(s).toString('hex');
  assert.deepEqual(decodeReport(`t=attached name=s mux=tmux created=1 others=0 expired_x=${hex('old-1\nold.2')}`), {
    t: 'attached', name: 's', mux: 'tmux', created: true, others: 0, expired: ['old-1', 'old.2'],
  });
  assert.deepEqual(decodeReport('t=attached name=s mux=tmux created=1 others=0 expired_x='), {
    t: 'attached', name: 's', mux: 'tmux', created: true, others: 0,
  });
  assert.equal(decodeReport(`t=attached name=s mux=tmux created=1 others=0 expired_x=${hex('a;b')}`).t, 'unknown');
});
