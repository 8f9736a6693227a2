// Running the real stayssh binary (bin/stayssh -> dist/) against a harness server, with an
// isolated HOME so nothing of the machine's ~/.ssh, agent or config leaks into a test.
// Its arguments come from clientArgs() in ssh-client.ts, the same as ssh's.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run, start, type RunOptions, type RunResult, type Running } from './run.js';

/** Absolute path of bin/stayssh (tests run from dist/test/...). */
export const STAYSSH_BIN = fileURLToPath(new URL('../../../bin/stayssh', import.meta.url));

/**
 * The node flags of bin/stayssh's `#!/usr/bin/env -S node FLAGS` line: tests start
 * `node FLAGS bin/stayssh` (process.execPath, whatever PATH says), as the shebang would.
 */
export const STAYSSH_NODE_FLAGS: readonly string[] = launcherNodeFlags(readFileSync(STAYSSH_BIN, 'utf8'));

export function launcherNodeFlags(launcher: string): string[] {
  const m = /^#!\/usr\/bin\/env -S node((?: +--[\w-]+(?:=\S+)?)*) *\n/.exec(launcher);
  if (!m) throw new Error('bin/stayssh does not start with "#!/usr/bin/env -S node [--flag...]"');
  return (m[1] ?? '').trim().split(/ +/).filter((f) => f !== '');
}

/** node, its flags and the launcher: the argv prefix that runs this checkout's stayssh. */
const STAYSSH_PREFIX = [process.execPath, ...STAYSSH_NODE_FLAGS, STAYSSH_BIN];

export function runStayssh(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return run(process.execPath, [...STAYSSH_PREFIX.slice(1), ...args], opts);
}

export function startStayssh(args: readonly string[], opts: Omit<RunOptions, 'timeoutMs'> = {}): Running {
  return start(process.execPath, [...STAYSSH_PREFIX.slice(1), ...args], opts);
}

/**
 * Runs a command line stayssh printed for the user ("resume with: stayssh ..."), verbatim,
 * through /bin/sh, with `stayssh` meaning this checkout's.
 */
export function runPrintedCommand(line: string, opts: RunOptions = {}): Promise<RunResult> {
  const env = { ...(opts.env ?? process.env), ...printedCommandEnv() };
  return run('/bin/sh', ['-c', printedCommandScript(line)], { ...opts, env });
}

/** The same for a terminal pane: argv that runs `line` verbatim with `stayssh` meaning this checkout's. */
export function printedCommandArgv(line: string): string[] {
  const env = Object.entries(printedCommandEnv()).map(([k, v]) => `${k}=${v}`);
  return ['env', ...env, '/bin/sh', '-c', printedCommandScript(line)];
}

function printedCommandScript(line: string): string {
  return `stayssh() { "$STAYSSH_NODE" $STAYSSH_NODE_FLAGS "$STAYSSH_BIN" "$@"; }; ${line}`;
}

function printedCommandEnv(): Record<string, string> {
  return { STAYSSH_NODE: process.execPath, STAYSSH_NODE_FLAGS: STAYSSH_NODE_FLAGS.join(' '), STAYSSH_BIN };
}

/** The shell command line that runs stayssh (for a terminal pane). */
export function staysshCommandLine(args: readonly string[]): string[] {
  return [...STAYSSH_PREFIX, ...args];
}

/** docs/BEHAVIOUR.md §7: one clear line on stderr, no stack trace. Returns that line. */
export function singleErrorLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== 1) throw new Error(`expected exactly one line on stderr, got ${lines.length}:\n${stderr}`);
  if (/^\s+at\s/m.test(stderr)) throw new Error(`stack trace on stderr:\n${stderr}`);
  return lines[0] ?? '';
}
