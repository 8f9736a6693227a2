/**
 * The last step of the demo's teardown: end every process the demo started that is still
 * there once its session was killed, synchronously (it runs on the way out of a signal
 * handler and from process 'exit'), within a bound.
 *
 * Who they are: the demo gives its embedded server's sessions a variable of its own (the
 * private TMUX_TMPDIR, demo.ts), which everything started there inherits: util-linux
 * `script`, the shim, the tmux client and server, the shell and what it runs. A process
 * can outlive the end of its session: `script` blocks SIGHUP and never reads it, and a
 * shell that is not its terminal's session leader (the session wrapper runs it as a
 * child) gets no SIGHUP when the pane closes, so one busy in a loop runs on forever. Our
 * own children (the `ip monitor` feed) are included: they are ended on a clean exit, not
 * when stayssh dies of a signal. Linux `/proc`; where it is missing, nothing is found.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { trySignal } from './pty-session.js';

/** How long the processes get to end of their own (the session's hang-up), then of SIGHUP, ms. */
export const SWEEP_GRACE_MS = 500;
/** Poll period while waiting, ms. */
const SWEEP_POLL_MS = 20;

/**
 * Pids of the processes whose initial environment holds exactly `entry` (`NAME=value`),
 * and of this process's children; never this process. Another user's environment is
 * unreadable but to root, and skipped.
 */
export function sweepTargets(entry: string): number[] {
  const out: number[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command name, which may hold spaces and parentheses.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue; // exited, waiting for its parent to reap it
      if (Number(ppid) === process.pid || readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(entry)) out.push(pid);
    } catch {
      // Gone meanwhile, or another user's.
    }
  }
  return out;
}

/**
 * Waits up to `graceMs` for `find()` to come back empty, then sends SIGHUP to what it
 * finds and waits again, then SIGKILL. Synchronous: at most ~2 × graceMs.
 */
export function endProcesses(find: () => number[], graceMs = SWEEP_GRACE_MS): void {
  for (const signal of ['SIGHUP', 'SIGKILL'] as const) {
    const left = waitUntilGone(find, graceMs);
    if (left.length === 0) return;
    for (const pid of left) trySignal(pid, signal);
  }
}

function waitUntilGone(find: () => number[], graceMs: number): number[] {
  const deadline = Date.now() + graceMs;
  let left = find();
  while (left.length > 0 && Date.now() < deadline) {
    sleepSync(SWEEP_POLL_MS);
    left = find();
  }
  return left;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
