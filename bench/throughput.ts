// Figure 5: stream throughput. 300 MB from the server's stdout and 100 MB into the
// server's stdin, stayssh (stream mode) vs ssh, straight to sshd. The local end is
// `wc -c` rather than /dev/null so a short transfer can never pass for a fast one: each
// run must deliver exactly the bytes sent. Also the client's peak RSS during the stream.
import type { Rig } from './rig.js';
import { timedRun, type TimedRun } from './proc.js';
import { summarize, type Summary } from './stats.js';

export const DOWNLOAD_BYTES = 300_000_000;
export const UPLOAD_BYTES = 100_000_000;
/** Runs per client and direction (alternating clients, so drift in load hits both). */
export const THROUGHPUT_REPS = 3;
/** One transfer taking longer than this is a failure (ms): 300 MB at 3 MB/s. */
const TRANSFER_TIMEOUT_MS = 100_000;

export interface DirectionFigures {
  /** MB/s (10^6 bytes per second) per run. */
  samplesMBps: number[];
  summary: Summary;
  peakRssMiB: Summary;
}

export interface ThroughputResult {
  download: { stayssh: DirectionFigures; ssh: DirectionFigures };
  upload: { stayssh: DirectionFigures; ssh: DirectionFigures };
}

type Client = 'stayssh' | 'ssh';

async function oneTransfer(rig: Rig, client: Client, direction: 'download' | 'upload'): Promise<TimedRun & { mbps: number }> {
  const base = client === 'stayssh' ? rig.stayssh({ route: 'direct' }) : rig.ssh({ route: 'direct' });
  const bytes = direction === 'download' ? DOWNLOAD_BYTES : UPLOAD_BYTES;
  const opts = { env: rig.env, timeoutMs: TRANSFER_TIMEOUT_MS, rssFile: rig.tmp.join('rss') };
  const run =
    direction === 'download'
      ? await timedRun([...base, `head -c ${bytes} /dev/zero`], { ...opts, countStdout: true })
      : await timedRun([...base, 'wc -c'], { ...opts, stdinBytes: bytes });
  const counted = run.stdout.trim();
  if (run.code !== 0) throw new Error(`${client} ${direction}: exit ${run.code ?? run.signal}\n${run.stderr.slice(-2000)}`);
  if (counted !== String(bytes)) throw new Error(`${client} ${direction}: ${counted || 'no'} bytes arrived instead of ${bytes}\n${run.stderr.slice(-2000)}`);
  return { ...run, mbps: bytes / 1e6 / (run.wallMs / 1000) };
}

function figures(runs: (TimedRun & { mbps: number })[]): DirectionFigures {
  const rss = runs.map((r) => r.peakRssKiB).filter((v): v is number => v !== null).map((k) => k / 1024);
  return { samplesMBps: runs.map((r) => r.mbps), summary: summarize(runs.map((r) => r.mbps)), peakRssMiB: summarize(rss) };
}

export async function measureThroughput(rig: Rig): Promise<ThroughputResult> {
  const runs: Record<'download' | 'upload', Record<Client, (TimedRun & { mbps: number })[]>> = {
    download: { stayssh: [], ssh: [] },
    upload: { stayssh: [], ssh: [] },
  };
  for (const direction of ['download', 'upload'] as const) {
    for (let rep = 0; rep < THROUGHPUT_REPS; rep++) {
      for (const client of rep % 2 === 0 ? (['ssh', 'stayssh'] as const) : (['stayssh', 'ssh'] as const)) {
        runs[direction][client].push(await oneTransfer(rig, client, direction));
      }
    }
  }
  return {
    download: { stayssh: figures(runs.download.stayssh), ssh: figures(runs.download.ssh) },
    upload: { stayssh: figures(runs.upload.stayssh), ssh: figures(runs.upload.ssh) },
  };
}
