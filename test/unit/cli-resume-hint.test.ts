// The command lines printed for later ("resume with: ...", "list them: ..."): the user's
// own words again, the session's name in place of theirs, each word safe for a shell.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listCommandLine, resumeCommandLine } from '../../src/cli/resume-hint.js';

test('keeps the options that reach the host and replaces --session', () => {
  const argv = ['-p', '2222', '--session=old', '-i', '~/.ssh/lab key', 'me@lab', '--session', 'older'];
  assert.equal(resumeCommandLine(argv, 'calm-otter'), "stayssh --session calm-otter -p 2222 -i '~/.ssh/lab key' me@lab");
});

test('a stream command comes back quoted, and one that starts with a dash after --', () => {
  assert.equal(resumeCommandLine(['lab', 'make', 'a b', '$HOME'], 'j1'), "stayssh --session j1 lab make 'a b' '$HOME'");
  assert.equal(resumeCommandLine(['lab', '--', '-weird'], 'j2'), 'stayssh --session j2 lab -- -weird');
});

test('a login shell fed by stdin is resumed with -T, once', () => {
  assert.equal(resumeCommandLine(['lab'], 's'), 'stayssh --session s lab');
  assert.equal(resumeCommandLine(['lab'], 's', { noTty: true }), 'stayssh --session s -T lab');
  assert.equal(resumeCommandLine(['-T', 'lab'], 's', { noTty: true }), 'stayssh --session s -T lab');
});

test('the list hint keeps the connection options and drops the command', () => {
  assert.equal(listCommandLine(['-p22', '--session', 'x', 'me@lab', 'top']), 'stayssh --list -p22 me@lab');
});
