// Running child processes from tests: collect output and exit status with a deadline,
// or start a long-lived one that the test kills in after(). Every child started here is
// also registered in process-tree.ts so a crashed test does not leave it behind. A system
// tool the machine lacks (one of scripts/preflight.mjs's table) fails with the one line
// of requirements.ts, naming it and its package, instead of a spawn error.
import { spawn, type ChildProcess } from 'node:child_process';
import { trackPid, untrackPid } from './process-tree.js';
import { demand, isKnownTool } from './requirements.js';

/** Default deadline (ms) for a command expected to finish: long enough for a loaded CI box. */
export const DEFAULT_RUN_TIMEOUT_MS = 20_000;

export interface RunResult {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * Send stdout and stderr to this open file descriptor instead of collecting them. For
   * daemons like sshd whose children would otherwise inherit our pipes and keep them
   * open (then 'close' never fires); exited then settles on process exit.
   */
  outputFd?: number;
  /** Written to stdin, which is then closed. Without it stdin is closed at once. */
  input?: string | Buffer;
  timeoutMs?: number;
}

export interface Running {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Settles when the process has exited and its pipes are drained. */
  readonly exited: Promise<RunResult>;
  /** Output so far (for waitFor predicates). */
  stdout(): string;
  stderr(): string;
  /** Sends a signal if still running (default SIGKILL: tests do not negotiate). */
  kill(signal?: NodeJS.Signals): void;
}

/** Starts a process whose output is collected; it does not time out by itself. */
export function start(command: string, args: readonly string[], opts: Omit<RunOptions, 'timeoutMs'> = {}): Running {
  if (isKnownTool(command)) demand(command);
  const out = opts.outputFd;
  const child = spawn(command, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', out ?? 'pipe', out ?? 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) {
    // spawn failures (ENOENT) surface as an 'error' event; make them a clear exception.
    throw new Error(`cannot start ${command}: no pid (is it installed?)`);
  }
  trackPid(pid);
  let collected = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (collected += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  // EPIPE on stdin when the child exits early must not crash the test process.
  child.stdin?.on('error', () => undefined);
  if (opts.input !== undefined) child.stdin?.end(opts.input);
  else child.stdin?.end();
  const exited = new Promise<RunResult>((resolve) => {
    child.once('error', (e) => {
      err += `\nspawn error: ${e.message}`;
    });
    child.once(out === undefined ? 'close' : 'exit', (code, signal) => {
      untrackPid(pid);
      resolve({ code, signal, stdout: collected, stderr: err });
    });
  });
  return {
    child,
    pid,
    exited,
    stdout: () => collected,
    stderr: () => err,
    kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Runs a command to completion; kills it and throws if it outlives `timeoutMs`. */
export async function run(command: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
  const proc = start(command, args, opts);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([proc.exited, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    proc.kill('SIGKILL');
    const late = await proc.exited;
    throw new Error(
      `${command} ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${late.stdout}\nstderr: ${late.stderr}`,
    );
  }
  return outcome;
}

/** Like run() but throws unless the exit code is 0. Returns stdout. */
export async function runOk(command: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const result = await run(command, args, opts);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.code ?? result.signal}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
    );
  }
  return result.stdout;
}
