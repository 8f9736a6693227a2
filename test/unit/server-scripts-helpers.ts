// Shared by the server-script tests (server-scripts-*.test.ts, shell-compactor.test.ts):
// the .sh sources, the build's compactor (scripts/compact-shell.mjs, loaded from the
// repository: it is not compiled into dist), and the tools the tests check them with.
import { demand } from '../harness/requirements.js';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository (this file runs from dist/test/unit). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface TransportEntry {
  name: string;
  output: string;
  exportName: string;
  prelude: { name: string; text?: string; file?: string }[];
  parts: string[];
}

interface Compactor {
  compactShell(source: string, name?: string): string;
  assemble(entry: TransportEntry, options?: { compact?: boolean }): string;
  TRANSPORT_SCRIPTS: TransportEntry[];
  CompactError: new (message: string) => Error;
}

export const compactor = (await import(pathToFileURL(join(ROOT, 'scripts', 'compact-shell.mjs')).href)) as Compactor;

export function transportEntry(name: 'shim' | 'stream'): TransportEntry {
  const entry = compactor.TRANSPORT_SCRIPTS.find((e) => e.name === name);
  assert.ok(entry, `no transport script named ${name} in scripts/compact-shell.mjs`);
  return entry;
}

/** Every server-side script under src, as repository paths. */
export function serverScripts(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.sh')) found.push(relative(ROOT, path));
    }
  };
  walk(join(ROOT, 'src'));
  return found;
}

/** The POSIX shells every script must parse under: argv before the script's own. */
export const SHELLS: readonly { name: string; argv: readonly string[] }[] = [
  { name: 'dash', argv: ['dash'] },
  { name: 'bash', argv: ['bash'] },
  { name: 'busybox sh', argv: ['busybox', 'sh'] },
];

const presence = new Map<string, boolean>();

/** True if `argv` runs (`ARGV -c true`, or `ARGV --version` for a tool that is no shell). */
export function installed(argv: readonly string[], probe: readonly string[] = ['-c', 'true']): boolean {
  const key = [...argv, ...probe].join(' ');
  let present = presence.get(key);
  if (present === undefined) {
    const r = spawnSync(argv[0]!, [...argv.slice(1), ...probe], { stdio: 'ignore' });
    present = r.error === undefined && r.status === 0;
    presence.set(key, present);
  }
  return present;
}

/**
 * Whether the test can go on, by the one rule of test/harness/requirements.ts: a tool that
 * is missing fails the test with one line naming it and the package that provides it
 * (`npm test` checks them all before it starts: scripts/preflight.mjs).
 */
export function requireTool(_t: TestContext, what: string, present: boolean): boolean {
  if (present) return true;
  demand(what.split(' ')[0] ?? what);
  return assert.fail(`${what} is installed but does not run`);
}
