// Static checks of the server-side scripts: every .sh under src and the transport forms
// the client sends parse under dash, bash and busybox sh (`sh -n`), shellcheck finds
// nothing in the sources, and what the client sends is what the sources compact to.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SHIM_SCRIPT } from '../../src/remote/shim-script.js';
import { STREAM_SCRIPT } from '../../src/stream/stream-script.js';
import { ROOT, SHELLS, compactor, installed, requireTool, serverScripts, transportEntry } from './server-scripts-helpers.js';

/**
 * Bytes of each transport form: it is sent with every attach / stream operation (a
 * stream session's creation sends the stream script twice). Descriptive names doubled
 * both in the move to .sh files (6.7 and 8.0 KB before); growth past these is a
 * decision to make, not an accident. The shim grew by 1.9 KB in issue 21 (prune, the
 * SessionIdleExpiry step of a first attach, the `used` mark, the text view): 17 KB.
 */
const BUDGETS = { shim: 17_000, stream: 16_000 };

const TRANSPORTS = [
  { name: 'shim', text: SHIM_SCRIPT },
  { name: 'stream', text: STREAM_SCRIPT },
] as const;

const sources = serverScripts();

it('finds the server-side scripts', () => {
  for (const f of ['src/remote/common.sh', 'src/remote/shim.sh', 'src/remote/session-wrapper.sh', 'src/stream/stream.sh']) {
    assert.ok(sources.includes(f), `${f} in ${sources.join(', ')}`);
  }
});

for (const shell of SHELLS) {
  describe(`${shell.name} -n`, () => {
    for (const file of sources) {
      it(`parses ${file}`, (t) => {
        if (!requireTool(t, shell.name, installed(shell.argv))) return;
        const r = spawnSync(shell.argv[0]!, [...shell.argv.slice(1), '-n', join(ROOT, file)], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
      });
      it(`parses ${file} compacted`, (t) => {
        if (!requireTool(t, shell.name, installed(shell.argv))) return;
        const text = compactor.compactShell(readFileSync(join(ROOT, file), 'utf8'), file);
        const r = spawnSync(shell.argv[0]!, [...shell.argv.slice(1), '-n', '-c', text], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
      });
    }
    for (const { name, text } of TRANSPORTS) {
      it(`parses the ${name} transport form`, (t) => {
        if (!requireTool(t, shell.name, installed(shell.argv))) return;
        const r = spawnSync(shell.argv[0]!, [...shell.argv.slice(1), '-n', '-c', text], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
      });
    }
  });
}

it('shellcheck -s sh finds nothing in any server-side script', (t) => {
  if (!requireTool(t, 'shellcheck', installed(['shellcheck'], ['--version']))) return;
  const r = spawnSync('shellcheck', ['-s', 'sh', ...sources], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

for (const { name, text } of TRANSPORTS) {
  describe(`the ${name} transport form`, () => {
    it('is what its sources compact to (the build is current)', () => {
      assert.equal(text, compactor.assemble(transportEntry(name)));
    });

    it('is one line without a backslash, within its budget', () => {
      assert.ok(!text.includes('\n'), 'one line (csh rejects newlines inside quotes)');
      assert.ok(!text.includes('\\'), 'no backslash (fish reads \\\\ and \\\' inside quotes)');
      assert.ok(text.length < BUDGETS[name], `size ${text.length}, budget ${BUDGETS[name]}`);
    });
  });
}
