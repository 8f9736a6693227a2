// Running a client once for timing: wall time by hrtime, exit status, and the client's
// peak RSS, from GNU time (`/usr/bin/time -f %M`, exact: the kernel's maxrss at exit) or,
// without it, by polling /proc/<pid>/status VmHWM every RSS_POLL_MS (may miss the last
// few ms of growth). Every process is killed when its deadline passes.
import { spawn, execFile, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { descendantPids, trySignal } from '../test/harness/process-tree.js';
import { msSince } from './stats.js';

/** Period of the VmHWM fallback poll, ms. */
const RSS_POLL_MS = 10;
/** Longest wait for a client's stdout to close after it exited, ms. */
const PIPE_DRAIN_MS = 2_000;

let gnuTime: Promise<boolean> | undefined;

/** True when /usr/bin/time is GNU time (it has -f/-o); asked once. */
export function hasGnuTime(): Promise<boolean> {
  gnuTime ??= new Promise((resolve) => {
    execFile('/usr/bin/time', ['--version'], { timeout: 5_000 }, (err, stdout, stderr) => resolve(!err && /GNU/.test(`${stdout}${stderr}`)));
  });
  return gnuTime;
}

export interface TimedRun {
  wallMs: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Client peak resident set, KiB; null when it could not be read. */
  peakRssKiB: number | null;
  stdout: string;
  stderr: string;
}

export interface TimedRunOptions {
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** What the client's stdin reads: 'ignore' (/dev/null) or another process's stdout. */
  stdin?: 'ignore' | NonNullable<ChildProcess['stdout']>;
  /** Where the client's stdout goes: collected ('pipe') or another process's stdin. */
  stdout?: 'pipe' | NonNullable<ChildProcess['stdin']>;
  /** Scratch file for GNU time's report. */
  rssFile: string;
}

function vmHwmKiB(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Kills `pid` and everything below it (clients fork: autossh -> ssh, time -> client). */
export function killTree(pid: number): void {
  for (const p of [...descendantPids(pid).reverse(), pid]) trySignal(p, 'SIGKILL');
}

export async function timedRun(argv: readonly string[], o: TimedRunOptions): Promise<TimedRun> {
  const useTime = await hasGnuTime();
  rmSync(o.rssFile, { force: true });
  const full = useTime ? ['/usr/bin/time', '-f', '%M', '-o', o.rssFile, '--', ...argv] : [...argv];
  const stdio: StdioOptions = [o.stdin ?? 'ignore', o.stdout ?? 'pipe', 'pipe'];
  const started = process.hrtime.bigint();
  const child = spawn(full[0] as string, full.slice(1), { env: o.env, stdio });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let peak: number | null = null;
  const poller = useTime
    ? undefined
    : setInterval(() => {
        const v = child.pid === undefined ? null : vmHwmKiB(child.pid);
        if (v !== null) peak = Math.max(peak ?? 0, v);
      }, RSS_POLL_MS);
  let timedOut = false;
  const killer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) killTree(child.pid);
  }, o.timeoutMs);
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (c, s) => resolve([c, s]));
    });
    const wallMs = msSince(started);
    if (timedOut) throw new Error(`${argv.join(' ')}: no exit within ${o.timeoutMs} ms (killed)\n${stderr.slice(-2000)}`);
    if (useTime) {
      try {
        const lines = readFileSync(o.rssFile, 'utf8').trim().split('\n');
        const kib = Number(lines[lines.length - 1]);
        peak = Number.isFinite(kib) && kib > 0 ? kib : null;
      } catch {
        peak = null;
      }
    }
    // Let the pipes drain ('exit' can come before the last 'data').
    // Let the pipe drain ('exit' can come before the last 'data'), bounded: a grandchild
    // holding the pipe open must not hang the bench.
    await new Promise<void>((resolve) => {
      if (!child.stdout || child.stdout.readableEnded) return resolve();
      const t = setTimeout(resolve, PIPE_DRAIN_MS);
      child.stdout.once('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
    return { wallMs, code, signal, peakRssKiB: peak, stdout, stderr };
  } finally {
    clearTimeout(killer);
    if (poller) clearInterval(poller);
  }
}
