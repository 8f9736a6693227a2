// `npm test` on a machine without a system tool says so in one line and stops, before it
// builds anything: scripts/preflight.mjs, run by scripts/run-tests.mjs. Checked here with
// a PATH that holds stand-ins for every tool but the ones a test leaves out (the preflight
// only asks whether an executable of that name is there), so no test needs to uninstall
// anything. sshd is looked for at its absolute paths first, as the harness starts it.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { CHECKOUT_DIR, demand, isRoot, PREFLIGHT_SCRIPT, preflight } from '../harness/requirements.js';
import { run } from '../harness/run.js';
import { makeTempDir } from '../harness/temp-dir.js';

const tmp = makeTempDir('preflight');
after(() => tmp.close());

let dirs = 0;
/** A directory for PATH with an executable stand-in for every tool of the table but `without`. */
function pathWithout(...without: string[]): string {
  const dir = tmp.join(`bin${++dirs}`);
  mkdirSync(dir);
  for (const { name } of preflight.TOOLS) {
    if (!without.includes(name)) writeFileSync(`${dir}/${name}`, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  }
  return dir;
}

/** What the one line should say for `names` missing (they are in table order). */
function expectedLine(names: string[], packages: string[], asRoot: boolean): string {
  return `npm test: missing ${names.join(', ')}: run 'bash .ci/run' or '${asRoot ? '' : 'sudo '}apt-get install ${packages.join(' ')}'`;
}

describe('npm test preflight', () => {
  test('names every missing tool once, and each package once, in one line', () => {
    demand('sshd'); // found at /usr/sbin/sshd whatever PATH says
    const PATH = pathWithout('ssh-keygen', 'ssh-add', 'secret-tool', 'useradd');
    assert.equal(
      preflight.preflight({ PATH, asRoot: true }),
      expectedLine(['ssh-keygen', 'ssh-add', 'secret-tool', 'useradd'], ['openssh-client', 'libsecret-tools', 'passwd'], true),
    );
    // As another user: sudo, and the tools only root's tests use are not asked for.
    assert.equal(
      preflight.preflight({ PATH, asRoot: false }),
      expectedLine(['ssh-keygen', 'ssh-add', 'secret-tool'], ['openssh-client', 'libsecret-tools'], false),
    );
    assert.equal(preflight.preflight({ PATH: pathWithout(), asRoot: true }), undefined, 'nothing missing: no line');
  });

  test('a file that is not executable does not count as the tool', () => {
    demand('sshd');
    const PATH = pathWithout('tmux');
    writeFileSync(`${PATH}/tmux`, '#!/bin/sh\n', { mode: 0o644 });
    chmodSync(`${PATH}/tmux`, 0o644); // whatever the umask made of it
    assert.equal(preflight.preflight({ PATH, asRoot: true }), expectedLine(['tmux'], ['tmux'], true));
  });

  test('node scripts/preflight.mjs with a tool missing from PATH: the one line on stderr, exit 1', async () => {
    demand('sshd');
    const r = await run(process.execPath, [PREFLIGHT_SCRIPT], { cwd: CHECKOUT_DIR, env: { PATH: pathWithout('secret-tool') } });
    assert.equal(r.stderr, `${expectedLine(['secret-tool'], ['libsecret-tools'], isRoot())}\n`);
    assert.equal(r.stdout, '');
    assert.equal(r.code, 1);
    const ok = await run(process.execPath, [PREFLIGHT_SCRIPT], { cwd: CHECKOUT_DIR, env: { PATH: pathWithout() } });
    assert.deepEqual([ok.code, ok.stdout, ok.stderr], [0, '', '']);
  });

  test('npm test (scripts/run-tests.mjs) stops at the preflight: one line, exit 1, no build', async () => {
    demand('sshd');
    // No npm on this PATH either: had the runner gone on to `npm run build`, it would have
    // failed there with a spawn error instead of this line (and built nothing).
    const r = await run(process.execPath, [`${CHECKOUT_DIR}/scripts/run-tests.mjs`, 'unit'], {
      cwd: CHECKOUT_DIR,
      env: { PATH: pathWithout('secret-tool', 'screen') },
    });
    assert.equal(r.stderr, `${expectedLine(['screen', 'secret-tool'], ['screen', 'libsecret-tools'], isRoot())}\n`);
    assert.equal(r.stdout, '');
    assert.equal(r.code, 1);
  });

  test('every package the preflight names is one .ci/run installs, or on every Debian system', () => {
    const ciRun = readFileSync(`${CHECKOUT_DIR}/.ci/run`, 'utf8');
    const listed = /^packages=\(([^)]*)\)/m.exec(ciRun)?.[1]?.trim().split(/\s+/);
    assert.ok(listed, ".ci/run has no 'packages=(...)' line");
    for (const t of preflight.TOOLS) {
      assert.ok(listed.includes(t.package) || preflight.ESSENTIAL_PACKAGES.includes(t.package), `${t.name}: package ${t.package} is not in .ci/run's packages`);
    }
  });
});
