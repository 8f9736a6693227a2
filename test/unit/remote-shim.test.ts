// The shim's text and the exec lines built around it: shape checks and `sh -n`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  SHIM_SCRIPT,
  attachCommand,
  carriedEnv,
  killCommand,
  listCommand,
  probeCommand,
  pruneCommand,
} from '../../src/remote/shim.js';
import { shQuote } from '../../src/remote/quote.js';

test('the shim is one line, without backslashes, small', () => {
  assert.ok(!SHIM_SCRIPT.includes('\\'), 'no backslash (fish reads \\\\ and \\\' inside quotes)');
  assert.ok(!SHIM_SCRIPT.includes('\n'), 'one line (csh rejects newlines inside quotes)');
  // Sent with every attach: a budget, so that growth is a decision, not an accident.
  // 6.7 KB before the shim became readable .sh files; the names doubled it (see
  // server-scripts-check.test.ts for both scripts' budgets).
  assert.ok(SHIM_SCRIPT.length < 17_000, `size ${SHIM_SCRIPT.length}`);
});

for (const shell of ['dash', 'bash']) {
  test(`the shim parses under ${shell} -n`, () => {
    const r = spawnSync(shell, ['-n', '-c', SHIM_SCRIPT], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
}

test('attachCommand quotes every word and drops env it cannot carry', () => {
  const line = attachCommand({
    name: 'work',
    mux: 'auto',
    create: true,
    command: "vim 'x y'",
    env: { LANG: 'en_US.UTF-8', 'BAD-NAME': 'x', LC_X: 'a\nb', COLORTERM: 'truecolor' },
  });
  const tail = ` stayssh-shim attach work auto 1 0 screen ${shQuote("vim 'x y'")} LANG=en_US.UTF-8 COLORTERM=truecolor`;
  assert.equal(line, `exec sh -c ${shQuote(SHIM_SCRIPT)}${tail}`);
  const plain = attachCommand({ name: 'w', mux: 'tmux', create: false, env: {}, interpreter: 'dash' });
  assert.ok(plain.startsWith('exec dash -c '));
  assert.ok(plain.endsWith(" stayssh-shim attach w tmux 0 0 screen ''"));
  // SessionIdleExpiry travels in whole seconds, and only with a creating (first) attach.
  const first = attachCommand({ name: 'w', mux: 'auto', create: true, env: {}, expireIdleSeconds: 604_800.5, view: 'text' });
  assert.ok(first.endsWith(" stayssh-shim attach w auto 1 604800 text ''"), first);
  const again = attachCommand({ name: 'w', mux: 'auto', create: false, env: {}, expireIdleSeconds: 604_800 });
  assert.ok(again.endsWith(" stayssh-shim attach w auto 0 0 screen ''"), again);
});

test('builders refuse invalid session names before anything is sent', () => {
  for (const bad of ['', '-x', '.x', 'a b', 'a;b', 'x'.repeat(65), 'é']) {
    assert.throws(() => attachCommand({ name: bad, mux: 'auto', create: true, env: {} }), /invalid session name/);
    assert.throws(() => killCommand(bad), /invalid session name/);
  }
  assert.ok(killCommand('a.b_c-1').endsWith(' stayssh-shim kill a.b_c-1'));
  assert.ok(listCommand().endsWith(' stayssh-shim list auto'));
  assert.ok(listCommand('screen').endsWith(' stayssh-shim list screen'));
  assert.ok(probeCommand().endsWith(' stayssh-shim probe'));
  assert.ok(pruneCommand(7 * 86_400).endsWith(' stayssh-shim prune 604800'));
});

test('carriedEnv keeps locale and COLORTERM only', () => {
  assert.deepEqual(
    carriedEnv({ LANG: 'C.UTF-8', LC_ALL: 'de_DE.UTF-8', COLORTERM: 'truecolor', TERM: 'xterm', HOME: '/h', LC_EMPTY: '' }),
    { LANG: 'C.UTF-8', LC_ALL: 'de_DE.UTF-8', COLORTERM: 'truecolor' },
  );
});
