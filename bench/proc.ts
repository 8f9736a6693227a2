// Running a client once for timing: wall time by hrtime, exit status, and the client's
// peak RSS, from GNU time (`/usr/bin/time -f %M`, exact: the kernel's maxrss at exit) or,
// without it, by polling /proc/<pid>/status VmHWM of the client every RSS_POLL_MS (may
// miss the last few ms of growth). The client runs in a bash pipeline (pipefail: the status is the client's) so that `head`
// can feed its stdin and `wc -c` count its stdout without this process touching the bytes.
// Every process is killed when its deadline passes.
import { spawn, execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { descendantPids, trySignal } from '../test/harness/process-tree.js';
import { shellLine } from './rig.js';
import { msSince } from './stats.js';

/** Period of the VmHWM fallback poll, ms. */
const RSS_POLL_MS = 10;
/** Helpers of the pipeline, never counted as "the client" by the VmHWM fallback. */
const HELPER_COMMS = new Set(['bash', 'sh', 'head', 'wc', 'time']);

let gnuTime: Promise<boolean> | undefined;

/**
 * True when /usr/bin/time is GNU time (it has -f/-o); asked once. BENCH_RSS=poll forces
 * the VmHWM fallback (to check it on a machine that has GNU time).
 */
export function hasGnuTime(): Promise<boolean> {
  if (process.env.BENCH_RSS === 'poll') return Promise.resolve(false);
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
  /** The client's stdout, or `wc -c`'s count with countStdout. */
  stdout: string;
  stderr: string;
}

export interface TimedRunOptions {
  /** Names the run in errors ("stayssh upload"). */
  label: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Feed this many zero bytes to the client's stdin (else stdin is /dev/null). */
  stdinBytes?: number;
  /** Pipe the client's stdout into `wc -c` (stdout of the run is then the count). */
  countStdout?: boolean;
  /** Scratch file for GNU time's report. */
  rssFile: string;
}

function readProc(pid: number, file: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

function clientHwmKiB(root: number): number | null {
  let best: number | null = null;
  // The root itself too: a lone client is exec'd by bash and keeps its pid.
  for (const pid of [root, ...descendantPids(root)]) {
    if (HELPER_COMMS.has((readProc(pid, 'comm') ?? '').trim())) continue;
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readProc(pid, 'status') ?? '');
    if (m) best = Math.max(best ?? 0, Number(m[1]));
  }
  return best;
}

/** Kills `pid` and everything below it (clients fork: autossh -> ssh, sh -> client). */
export function killTree(pid: number): void {
  for (const p of [...descendantPids(pid).reverse(), pid]) trySignal(p, 'SIGKILL');
}

export async function timedRun(argv: readonly string[], o: TimedRunOptions): Promise<TimedRun> {
  const useTime = await hasGnuTime();
  rmSync(o.rssFile, { force: true });
  let line = shellLine(useTime ? ['/usr/bin/time', '-f', '%M', '-o', o.rssFile, '--', ...argv] : argv);
  if (o.stdinBytes !== undefined) line = `head -c ${o.stdinBytes} /dev/zero | ${line}`;
  else line = `${line} </dev/null`;
  if (o.countStdout) line = `${line} | wc -c`;
  else if (o.stdinBytes === undefined) line = `exec ${line}`;
  const started = process.hrtime.bigint();
  const child = spawn('/bin/bash', ['-c', `set -o pipefail; ${line}`], { env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let peak: number | null = null;
  const poller = useTime
    ? undefined
    : setInterval(() => {
        const v = child.pid === undefined ? null : clientHwmKiB(child.pid);
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
      // 'close': exited and its pipes drained; the killer bounds it.
      child.once('close', (c, s) => resolve([c, s]));
    });
    const wallMs = msSince(started);
    if (timedOut) throw new Error(`${o.label}: no exit within ${o.timeoutMs} ms (killed)\ncommand: ${argv.join(' ')}\n${stderr.slice(-2000)}`);
    if (useTime) {
      const lines = readFileSafe(o.rssFile).trim().split('\n');
      const kib = Number(lines[lines.length - 1]);
      peak = Number.isFinite(kib) && kib > 0 ? kib : null;
    }
    return { wallMs, code, signal, peakRssKiB: peak, stdout, stderr };
  } finally {
    clearTimeout(killer);
    if (poller) clearInterval(poller);
    if (child.pid !== undefined && child.exitCode === null) killTree(child.pid);
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
