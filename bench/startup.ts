// Figure 6: start-up. `stayssh host true` vs `ssh host true` straight to sshd, wall time
// (median of STARTUP_REPS, clients alternating) and the client's peak RSS.
import type { Rig } from './rig.js';
import { hasGnuTime, timedRun } from './proc.js';
import { summarize, type Summary } from './stats.js';

export const STARTUP_REPS = 10;
/** One `host true` taking longer than this is a failure, ms. */
const RUN_TIMEOUT_MS = 20_000;

export interface StartupFigures {
  wallMs: Summary;
  peakRssMiB: Summary;
}

export interface StartupResult {
  stayssh: StartupFigures;
  ssh: StartupFigures;
  /** How peak RSS was read: 'GNU time' (maxrss at exit) or 'VmHWM poll (10 ms)'. */
  rssMethod: string;
}

export async function measureStartup(rig: Rig): Promise<StartupResult> {
  const wall: Record<'stayssh' | 'ssh', number[]> = { stayssh: [], ssh: [] };
  const rss: Record<'stayssh' | 'ssh', number[]> = { stayssh: [], ssh: [] };
  for (let rep = 0; rep < STARTUP_REPS; rep++) {
    for (const client of rep % 2 === 0 ? (['ssh', 'stayssh'] as const) : (['stayssh', 'ssh'] as const)) {
      const argv = client === 'stayssh' ? rig.stayssh({ route: 'direct' }) : rig.ssh({ route: 'direct' });
      const run = await timedRun([...argv, 'true'], { label: `${client} host true`, env: rig.env, timeoutMs: RUN_TIMEOUT_MS, rssFile: rig.tmp.join('rss') });
      if (run.code !== 0) throw new Error(`${client} host true: exit ${run.code ?? run.signal}\n${run.stderr.slice(-2000)}`);
      wall[client].push(run.wallMs);
      if (run.peakRssKiB !== null) rss[client].push(run.peakRssKiB / 1024);
    }
  }
  return {
    stayssh: { wallMs: summarize(wall.stayssh), peakRssMiB: summarize(rss.stayssh) },
    ssh: { wallMs: summarize(wall.ssh), peakRssMiB: summarize(rss.ssh) },
    rssMethod: (await hasGnuTime()) ? 'GNU time %M (maxrss at exit)' : 'VmHWM polled every 10 ms',
  };
}
