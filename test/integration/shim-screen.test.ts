// The shim for real with GNU screen (CI installs it: missing screen is a failure with one
// line, see test/harness/requirements.ts), and the error when neither multiplexer exists.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { attachCommand, listCommand, probeCommand } from '../../src/remote/shim.js';
import type { ShimReport } from '../../src/remote/types.js';
import { demand } from '../harness/requirements.js';
import { ShimWorld } from '../harness/shim-world.js';
import { waitFor } from '../harness/wait-for.js';

type Session = Extract<ShimReport, { t: 'session' }>;

for (const interpreter of ['dash', 'bash']) {
  describe(`shim + screen under ${interpreter}`, () => {
    let w: ShimWorld;
    const attach = (name: string, create = true, command?: string) =>
      attachCommand({ name, mux: 'screen', create, command, env: { LANG: 'C.UTF-8' }, interpreter });
    const session = (name: string): Session | undefined =>
      w
        .exec(listCommand('screen', { interpreter }))
        .reports.find((r): r is Session => r.t === 'session' && r.name === name);

    before(() => {
      demand('screen');
      w = new ShimWorld();
    });
    after(() => w?.close());

    test('probe sees screen', () => {
      const p = w.exec(probeCommand({ interpreter })).reports[0];
      assert.ok(p?.t === 'probe' && /^\d+\.\d+/.test(p.screen ?? ''), JSON.stringify(p));
    });

    test('create, list, detach by losing the terminal, reattach, exit 5', async () => {
      const t1 = w.terminal(attach('scr'));
      assert.deepEqual(await t1.report('attached'), { t: 'attached', name: 'scr', mux: 'screen', created: true, others: 0 });
      t1.type('echo mark-$((6*7)) "sty=[${STY-unset}]"', 'Enter');
      await t1.see('mark-42 sty=[unset]');
      // No command key: C-a and the next key reach the program.
      t1.type('cat -v', 'Enter');
      t1.type('', 'C-a', 'd', 'Enter');
      await t1.see('^Ad');
      t1.type('', 'C-d');
      const s = await waitFor(() => session('scr')?.state === 'attached' && session('scr'), { what: 'scr attached' });
      assert.equal(s.mux, 'screen');
      assert.ok(Math.abs(s.created - Date.now() / 1000) < 60);

      t1.kill();
      await waitFor(() => session('scr')?.state === 'detached', { what: 'scr detached' });
      const t2 = w.terminal(attach('scr', false));
      assert.equal((await t2.report('attached')).created, false);
      await t2.see('mark-42');
      t2.type('exit 5', 'Enter');
      assert.deepEqual(await t2.report('exit'), { t: 'exit', status: 5 });
      assert.equal(w.hasSessionDir('scr'), false);
      assert.equal(session('scr'), undefined);
    });
  });
}

describe('no multiplexer on the server', () => {
  let w: ShimWorld;
  before(() => {
    // A PATH with the tools the shim needs, and neither tmux nor screen.
    w = new ShimWorld();
    const bin = join(w.root, 'bin');
    mkdirSync(bin);
    for (const tool of ['sh', 'dash', 'bash', 'od', 'tr', 'date', 'mkdir', 'rm', 'cat', 'find']) {
      const where = spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      if (where) symlinkSync(where, join(bin, tool));
    }
    w.env.PATH = bin;
  });
  after(() => w.close());

  test('auto names both tmux and screen; an explicit mux names itself', () => {
    const auto = w.exec(attachCommand({ name: 'x', mux: 'auto', create: true, env: {}, interpreter: 'dash' }));
    assert.equal(auto.status, 2);
    const e = auto.reports[0];
    assert.ok(e?.t === 'error' && e.code === 'no-mux', JSON.stringify(auto));
    assert.match(e.message, /tmux/);
    assert.match(e.message, /screen/);
    const listed = w.exec(listCommand('auto', { interpreter: 'bash' })).reports[0];
    assert.ok(listed?.t === 'error' && listed.code === 'no-mux');
    const tmux = w.exec(attachCommand({ name: 'x', mux: 'tmux', create: true, env: {} })).reports[0];
    assert.ok(tmux?.t === 'error' && tmux.code === 'no-mux' && /tmux/.test(tmux.message));
    const probe = w.exec(probeCommand()).reports[0];
    assert.deepEqual(probe, { t: 'probe', tmux: null, screen: null });
  });
});
