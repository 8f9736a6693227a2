// Steps at a remote shell in a test terminal, shared by the tests that log in through a
// prompt and then prove the shell is theirs (credentials-*.test.ts), and counting what a
// screen shows (how many times a prompt was asked).
import assert from 'node:assert/strict';
import type { Terminal } from './terminal.js';

/**
 * Runs `echo WORD-$((6*7))` and waits for `WORD-42`: only a live shell computes it (the
 * typed line itself shows `$((6*7))`). Resolves with the screen.
 */
export async function shellSays(term: Terminal, word: string): Promise<string> {
  await term.type(`echo ${word}-$((6*7))`);
  await term.press('Enter');
  return term.waitForText(`${word}-42`, { timeoutMs: 20_000, scrollback: true });
}

/** `exit` at the shell; the client must end with status 0. */
export async function leaveShell(term: Terminal): Promise<void> {
  await term.type('exit');
  await term.press('Enter');
  assert.deepEqual(await term.waitForExit({ timeoutMs: 15_000 }), { code: 0, signal: null });
}

/** Occurrences of `pattern` on a screen (a fresh global copy: no lastIndex carried between calls). */
export function countMatches(screen: string, pattern: RegExp): number {
  return [...screen.matchAll(new RegExp(pattern.source, 'g'))].length;
}
