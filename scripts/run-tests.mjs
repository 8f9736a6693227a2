#!/usr/bin/env node
// Runs every compiled test file with node's built-in runner. Node 20's `--test` takes no
// globs, so we collect the files here. Unit tests first (fast feedback), then the rest.
// Usage: node scripts/run-tests.mjs [unit|integration|e2e ...]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { preflight } from './preflight.mjs';

// The system tools the tests run (scripts/preflight.mjs): one line naming what is missing
// and how to install it, before any build, rather than every test that uses it failing.
const missing = preflight();
if (missing !== undefined) {
  console.error(missing);
  process.exit(1);
}

// `npm run build`: tsc, then the bundle bin/stayssh starts (scripts/bundle.mjs).
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const suites = process.argv.slice(2).length ? process.argv.slice(2) : ['unit', 'integration', 'e2e'];
const files = [];
for (const suite of suites) {
  const dir = join('dist', 'test', suite);
  try { statSync(dir); } catch { continue; }
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.test.js')) files.push(p);
    }
  };
  walk(dir);
}
// Integration and e2e tests share one sshd per file and a tmux server per test; two cores
// are enough for two files at a time without starving the timing-sensitive ones.
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);
