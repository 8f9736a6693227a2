// Server text reaches the terminal, the events file and hooks without control characters
// (docs/BEHAVIOUR.md §7): a disconnect reason from an unauthenticated peer must not be
// able to move the cursor, retitle the window or plant an OSC sequence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { printableLine, printableText } from '../../src/contracts/printable.js';
import { classifyDialError } from '../../src/transport/classify-error.js';
import { EventSink } from '../../src/engine/event-sink.js';
import { makeTempDir } from '../harness/temp-dir.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const hostile = 'bye\x1b]0;owned\x07\x1b[2J\r\x9b31m\x7f';

test('every control character becomes a visible octal escape, as OpenSSH shows them', () => {
  assert.equal(printableLine(hostile), 'bye\\033]0;owned\\007\\033[2J\\015\\23331m\\177');
  assert.doesNotMatch(printableLine(hostile), CONTROL);
  assert.equal(printableLine('plain text, ünïcode kept'), 'plain text, ünïcode kept');
});

test('instructions keep their lines and tabs, nothing else', () => {
  assert.equal(printableText('line one\n\tline two\r\n\x1b[31mred'), 'line one\n\tline two\\015\n\\033[31mred');
});

test('a server message inside a dial error is printable', () => {
  const failure = classifyDialError(Object.assign(new Error(`Disconnected: ${hostile}`), { level: 'protocol' }), 'h', 22);
  assert.doesNotMatch(failure.message, CONTROL);
  assert.match(failure.message, /\\033\]0;owned/);
});

test('a reason with control characters reaches the events file and hooks without them', () => {
  const tmp = makeTempDir('printable');
  try {
    const file = tmp.join('events.jsonl');
    const sink = new EventSink({ eventsFile: file, hooks: {}, host: 'h', port: 22, user: 'u', session: 's', warn: () => undefined });
    const event = sink.emit({ event: 'disconnected', reason: hostile });
    assert.doesNotMatch(event.reason ?? '', CONTROL);
    const written = JSON.parse(readFileSync(file, 'utf8').trim()) as { reason: string };
    assert.doesNotMatch(written.reason, CONTROL);
  } finally {
    tmp.close();
  }
});
