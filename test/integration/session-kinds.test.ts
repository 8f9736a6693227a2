// Stream sessions (a command without a terminal) and tmux/screen sessions share one
// namespace of names and one state directory. Neither kind may take over, or delete, the
// other's directory: `--session job` for the wrong kind is refused with one clear error.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { attachCommand } from '../../src/remote/shim.js';
import { attachCommand as streamAttachCommand } from '../../src/stream/stream-commands.js';
import { SHIM_EXEC_TIMEOUT_MS, ShimWorld } from '../harness/shim-world.js';

describe('stream and multiplexer sessions keep to their own names', () => {
  let w: ShimWorld;
  before(() => {
    w = new ShimWorld();
  });
  after(() => w.close());

  /** A session directory as the other kind left it, with a file that must survive. */
  function sessionDir(name: string, mux: string): string {
    const d = w.sessionDir(name);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'mux'), mux);
    writeFileSync(join(d, 'out'), 'output nobody has read yet');
    return d;
  }

  test('an interactive attach to a stream session is refused and leaves its spools alone', () => {
    const d = sessionDir('job', 'stream');
    for (const create of [true, false]) {
      const r = w.exec(attachCommand({ name: 'job', mux: 'auto', create, command: undefined, env: {} }));
      assert.deepEqual(r.reports, [{ t: 'error', code: 'bad-args', message: 'job is a stream session (a command without a terminal)' }]);
      assert.equal(readFileSync(join(d, 'out'), 'utf8'), 'output nobody has read yet');
    }
  });

  test('a stream attach to a tmux session is refused and leaves its directory alone', () => {
    const d = sessionDir('shell', 'tmux');
    for (const create of [true, false]) {
      const line = streamAttachCommand({ name: 'shell', from: 'acknowledged', eofAt: undefined, create, command: 'echo ran' });
      const r = spawnSync('/bin/sh', ['-c', line], { env: w.env, encoding: 'utf8', timeout: SHIM_EXEC_TIMEOUT_MS, input: '' });
      assert.equal(r.status, 1, r.stderr);
      assert.equal(r.stderr, 'stayssh-stream 1 error=not-stream\n');
      assert.equal(r.stdout, '', 'the command never ran');
      assert.equal(readFileSync(join(d, 'mux'), 'utf8'), 'tmux');
      assert.equal(readFileSync(join(d, 'out'), 'utf8'), 'output nobody has read yet');
    }
  });
});
