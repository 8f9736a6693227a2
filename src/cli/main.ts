/**
 * The CLI entry: run, and whatever happens, end with one clear line and the documented
 * exit status (docs/BEHAVIOUR.md §7): never a stack trace, never a hang.
 */
import { readFileSync } from 'node:fs';
import { StaysshError } from '../errors.js';
import { InformationalExit } from './parse-args.js';
import { run } from './run.js';

/** Where package.json is from this module: built (dist/src/cli/) or bundled (dist/). */
const PACKAGE_JSON_PATHS = ['../../../package.json', '../package.json'];

function packageVersion(): string {
  for (const path of PACKAGE_JSON_PATHS) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'stayssh') return pkg.version ?? '0.0.0';
    } catch {
      // Not there: the other layout.
    }
  }
  return '0.0.0';
}

/** Writes everything still buffered for stdout/stderr, then exits. */
function exitWith(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

export async function main(argv: string[]): Promise<void> {
  let code: number;
  try {
    code = await run(argv, packageVersion());
  } catch (err) {
    if (err instanceof InformationalExit) {
      code = err.exitCode;
    } else if (err instanceof StaysshError) {
      process.stderr.write(`stayssh: ${err.message}\n`);
      code = err.exitCode;
    } else {
      // A bug: still one line, still 255. STAYSSH_DEBUG=1 shows the stack for developers.
      const e = err as Error;
      process.stderr.write(`stayssh: internal error: ${e?.message ?? String(err)}\n`);
      if (process.env['STAYSSH_DEBUG']) process.stderr.write(`${e?.stack ?? ''}\n`);
      code = 255;
    }
  }
  exitWith(code);
}
