// Figure 5: stream throughput. 300 MB from the server's stdout and 100 MB into the
// server's stdin, stayssh (stream mode) vs ssh, straight to sshd. The local end is
// `wc -c` rather than /dev/null so a short transfer can never pass for a fast one: each
// run must deliver exactly the bytes sent. Also the client's peak RSS during the stream.
import type { Rig } from './rig.js';
import { timedRun, type TimedRun } from './proc.js';
import { summarize, type Summary } from './stats.js';
import type { Outcome } from './outcome.js';

export const DOWNLOAD_BYTES = 300_000_000;
export const UPLOAD_BYTES = 100_000_000;
/** Runs per client and direction (alternating clients, so drift in load hits both). */
export const THROUGHPUT_REPS = 5;
/** Slowest transfer rate that still counts as working, bytes/ms (5 MB/s): a stall fails. */
const MIN_BYTES_PER_MS = 5_000;

export interface DirectionFigures {
  /** MB/s (10^6 bytes per second) per run. */
  samplesMBps: number[];
  summary: Summary;
  peakRssMiB: Summary;
}

export interface ThroughputResult {
  download: Record<Client, Outcome<DirectionFigures>>;
  upload: Record<Client, Outcome<DirectionFigures>>;
}

type Client = 'stayssh' | 'ssh';

async function oneTransfer(rig: Rig, client: Client, direction: 'download' | 'upload'): Promise<TimedRun & { mbps: number }> {
  const base = client === 'stayssh' ? rig.stayssh({ route: 'direct' }) : rig.ssh({ route: 'direct' });
  const bytes = direction === 'download' ? DOWNLOAD_BYTES : UPLOAD_BYTES;
  const opts = { label: `${client} ${direction} of ${bytes / 1e6} MB`, env: rig.env, timeoutMs: Math.round(bytes / MIN_BYTES_PER_MS), rssFile: rig.tmp.join('rss') };
  const run =
    direction === 'download'
      ? await timedRun([...base, `head -c ${bytes} /dev/zero`], { ...opts, countStdout: true })
      : await timedRun([...base, 'wc -c'], { ...opts, stdinBytes: bytes });
  const counted = run.stdout.trim();
  if (run.code !== 0) throw new Error(`${opts.label}: exit ${run.code ?? run.signal}\n${run.stderr.slice(-2000)}`);
  if (counted !== String(bytes)) throw new Error(`${opts.label}: ${counted || 'no'} bytes arrived instead of ${bytes}\n${run.stderr.slice(-2000)}`);
  return { ...run, mbps: bytes / 1e6 / (run.wallMs / 1000) };
}

function figures(runs: (TimedRun & { mbps: number })[]): DirectionFigures {
  const rss = runs.map((r) => r.peakRssKiB).filter((v): v is number => v !== null).map((k) => k / 1024);
  return { samplesMBps: runs.map((r) => r.mbps), summary: summarize(runs.map((r) => r.mbps)), peakRssMiB: summarize(rss) };
}

export async function measureThroughput(rig: Rig): Promise<ThroughputResult> {
  const result = {} as ThroughputResult;
  for (const direction of ['download', 'upload'] as const) {
    const runs: Record<Client, (TimedRun & { mbps: number })[]> = { stayssh: [], ssh: [] };
    const failed: Partial<Record<Client, string>> = {};
    for (let rep = 0; rep < THROUGHPUT_REPS; rep++) {
      for (const client of rep % 2 === 0 ? (['ssh', 'stayssh'] as const) : (['stayssh', 'ssh'] as const)) {
        if (failed[client] !== undefined) continue; // a client that failed once is not retried
        try {
          runs[client].push(await oneTransfer(rig, client, direction));
        } catch (err) {
          failed[client] = (err as Error).message;
        }
      }
    }
    const outcome = (c: Client): Outcome<DirectionFigures> => {
      const error = failed[c];
      return error === undefined ? { ok: true, value: figures(runs[c]) } : { ok: false, error };
    };
    result[direction] = { stayssh: outcome('stayssh'), ssh: outcome('ssh') };
  }
  return result;
}
