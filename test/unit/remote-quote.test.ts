// shQuote/shJoin round-trip through real shells: whatever we quote must come back exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { shJoin, shQuote } from '../../src/remote/quote.js';

const HOSTILE = [
  '',
  'plain',
  "it's",
  "''",
  "'\\''",
  '"double" \\back\\slash\\',
  '$(touch /tmp/stayssh-pwned)',
  '`id`',
  '${HOME} $HOME $1 $@ $*',
  'a\nb\n',
  '\n',
  '*',
  '?[a-z]* ~ ~root',
  '; rm -rf / # &&|| > < >>',
  '-n',
  'tab\there',
  'ünïcödé 日本語 🙂',
  '!history !! !$',
  '\x01\x1b[31m\x7f',
  '  leading and trailing  ',
];

/** Ask `shell` to print its arguments, NUL-separated, from a command line we build. */
function echoArgs(shell: string, args: string[]): string[] {
  const line = `printf '%s\\0' ${shJoin(args)}`;
  const r = spawnSync(shell, ['-c', line], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\0').slice(0, -1);
}

for (const shell of ['dash', 'bash']) {
  test(`shQuote round-trips hostile strings through ${shell}`, () => {
    for (const s of HOSTILE) {
      assert.deepEqual(echoArgs(shell, [s]), [s], JSON.stringify(s));
    }
  });

  test(`shJoin keeps word boundaries through ${shell}`, () => {
    assert.deepEqual(echoArgs(shell, HOSTILE), HOSTILE);
  });
}

test('safe words are left unquoted, everything else single-quoted', () => {
  assert.equal(shQuote('abc-1.2_x/y:z'), 'abc-1.2_x/y:z');
  assert.equal(shQuote(''), "''");
  assert.equal(shQuote('a b'), "'a b'");
  assert.equal(shQuote("it's"), "'it'\\''s'");
  assert.equal(shQuote('~'), "'~'");
});
