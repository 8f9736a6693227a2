// stayssh installed like any npm CLI (issue 21; docs/BEHAVIOUR.md §1, the man page row):
// `npm pack` of the built tree, then `npm install -g` of that tarball into a temporary
// prefix, with no build step and no devDependencies, and without the registry: --offline,
// the dependencies come from the npm cache that `npm ci` filled (a cache miss fails at
// once with ENOTCACHED, where --prefer-offline would wait minutes on a dead network). Then the
// installed `stayssh --version`, `-h`, the man page through `man -l`, and the library
// entry (`import { connect } from 'stayssh'`) as a user's program resolves it.
//
// The pack runs with --ignore-scripts: `prepare` would rebuild dist/ (the test runner has
// just built it, and other test files run from it meanwhile). The install runs with
// --ignore-scripts too: ssh2's optional native helpers would otherwise compile (or not,
// depending on the npm version's script policy), and stayssh needs neither; the tarball's
// own package.json is checked to hold no install-time script at all.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { run } from '../harness/run.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';
import { CHECKOUT_DIR } from '../harness/requirements.js';
import { HELP_WIDTH } from '../../src/cli/program.js';

/** The most the installed package may take on disk (npm's unpackedSize), bytes. */
const MAX_UNPACKED_BYTES = 1.5 * 1024 * 1024;
/** npm pack and npm install from the cache: seconds each on a loaded 2-core box, not 20 s. */
const NPM_TIMEOUT_MS = 180_000;

interface PackedFile {
  path: string;
  size: number;
}
interface PackResult {
  filename: string;
  unpackedSize: number;
  files: PackedFile[];
}

const pkg = JSON.parse(readFileSync(join(CHECKOUT_DIR, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/**
 * The environment for npm and the installed program: npm's own variables (the ones npm
 * test sets, prefix among them) removed, so only the command line says where things go;
 * the cache kept, and node first on PATH (the installed launcher runs `env node`).
 */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.toLowerCase().startsWith('npm_') || k.toLowerCase() === 'npm_config_cache') env[k] = v;
  }
  env.PATH = [dirname(process.execPath), process.env.PATH ?? '/usr/bin:/bin'].join(delimiter);
  return { ...env, ...extra };
}

describe('the npm package', () => {
  let tmp: TempDir;
  let packed: PackResult;
  let prefix: string;
  let installed: string;

  before(async () => {
    tmp = makeTempDir('package');
    const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp.path], {
      cwd: CHECKOUT_DIR,
      env: cleanEnv(),
      timeoutMs: NPM_TIMEOUT_MS,
    });
    assert.equal(pack.code, 0, pack.stderr);
    [packed] = JSON.parse(pack.stdout) as [PackResult];
    prefix = tmp.join('prefix');
    const install = await run(
      'npm',
      ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tmp.join(packed.filename)],
      { cwd: tmp.path, env: cleanEnv(), timeoutMs: NPM_TIMEOUT_MS },
    );
    // ENOTCACHED: the npm cache lacks a dependency; `npm ci` in the checkout fills it.
    assert.equal(install.code, 0, `npm install -g --offline of the tarball failed (run npm ci first):\n${install.stderr}`);
    installed = join(prefix, 'lib', 'node_modules', 'stayssh');
  });
  after(() => tmp?.close());

  test('the tarball holds the built runtime, the launcher, the man page, README and LICENSE, and nothing else', () => {
    const paths = packed.files.map((f) => f.path);
    for (const needed of ['package.json', 'bin/stayssh', 'dist/stayssh.mjs', 'dist/src/api.js', 'dist/src/api.d.ts', 'man/stayssh.1', 'README.md', 'LICENSE']) {
      assert.ok(paths.includes(needed), `${needed} is not in the tarball`);
    }
    const stray = paths.filter(
      (p) => /(^|\/)(test|bench)\//.test(p) || /\.test\.|\.map$/.test(p) || /^(src|scripts|docs|fixtures|examples|\.ci)\//.test(p) || (p.endsWith('.ts') && !p.endsWith('.d.ts')),
    );
    assert.deepEqual(stray, [], 'tests, benchmarks, sources, source maps or tooling in the tarball');
    assert.ok(packed.unpackedSize <= MAX_UNPACKED_BYTES, `unpacked ${packed.unpackedSize} bytes, more than ${MAX_UNPACKED_BYTES}`);
  });

  test('the packed package.json runs nothing at install time, so no build step and no devDependency is needed', async () => {
    const r = await run('tar', ['-xzOf', tmp.join(packed.filename), 'package/package.json']);
    const scripts = (JSON.parse(r.stdout) as { scripts?: Record<string, string> }).scripts ?? {};
    for (const hook of ['preinstall', 'install', 'postinstall']) assert.equal(scripts[hook], undefined, `a ${hook} script`);
  });

  test('installs with its runtime dependencies only', () => {
    const modules = readdirSync(join(installed, 'node_modules'));
    for (const dep of Object.keys(pkg.dependencies)) {
      assert.ok(existsSync(join(installed, 'node_modules', dep, 'package.json')), `${dep} not installed`);
    }
    const dev = Object.keys(pkg.devDependencies).map((d) => d.split('/')[0]);
    assert.deepEqual(modules.filter((m) => dev.includes(m)), [], 'a devDependency was installed');
    assert.ok(!modules.includes('ora'), 'ora is back (docs/DECISIONS.md says why it went)');
    assert.ok(!existsSync(join(installed, 'dist', 'test')), 'dist/test installed');
  });

  test('the installed stayssh prints its version and its help, -h as --help', async () => {
    const bin = join(prefix, 'bin', 'stayssh');
    const version = await run(bin, ['--version'], { env: cleanEnv(), cwd: tmp.path });
    assert.deepEqual([version.code, version.stdout, version.stderr], [0, `${pkg.version}\n`, '']);
    const short = await run(bin, ['-h'], { env: cleanEnv(), cwd: tmp.path });
    assert.equal(short.code, 0, short.stderr);
    assert.equal(short.stderr, '');
    assert.match(short.stdout, /^Usage: stayssh \[options\] destination \[command/);
    const long = await run(bin, ['--help'], { env: cleanEnv(), cwd: tmp.path });
    assert.equal(long.stdout, short.stdout);
  });

  test('man -l renders the installed man page without a warning, in 80 columns', async () => {
    const page = join(prefix, 'share', 'man', 'man1', 'stayssh.1');
    assert.ok(existsSync(page), 'npm did not install the man page (package.json "man")');
    const r = await run('man', ['--warnings', '-l', page], { env: cleanEnv({ MANWIDTH: String(HELP_WIDTH), MANPAGER: 'cat', PAGER: 'cat', LANG: 'C.UTF-8' }) });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'man or groff warned');
    for (const heading of ['NAME', 'SYNOPSIS', 'OPTIONS', 'ESCAPE CHARACTERS', 'EXIT STATUS', 'FILES', 'ENVIRONMENT', 'EXAMPLES', 'SEE ALSO']) {
      assert.match(r.stdout, new RegExp(`^${heading}$`, 'm'), `no ${heading} section`);
    }
    assert.match(r.stdout, /ssh\(1\), ssh_config\(5\), tmux\(1\), screen\(1\)/);
    const wide = r.stdout.split('\n').filter((l) => l.length > HELP_WIDTH);
    assert.deepEqual(wide, [], 'lines wider than 80 columns');
  });

  test("the library entry works from the installed package: import { connect } from 'stayssh'", async () => {
    // A module in PREFIX/lib resolves bare names from PREFIX/lib/node_modules, through
    // the package's "exports", as a user's program next to its node_modules would.
    const probe = join(prefix, 'lib', 'probe.mjs');
    writeFileSync(probe, "import { connect } from 'stayssh';\nconsole.log(typeof connect);\n");
    const r = await run(process.execPath, [probe], { env: cleanEnv(), cwd: tmp.path });
    assert.deepEqual([r.code, r.stdout.trim(), r.stderr], [0, 'function', '']);
    assert.ok(existsSync(join(installed, 'dist', 'src', 'api.d.ts')), 'no types for the library');
  });
});
