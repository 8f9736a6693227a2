// Figure 6: start-up. `stayssh host true` vs `ssh host true` straight to sshd, wall time
// (median of STARTUP_REPS, clients alternating) and the client's peak RSS; for the rig's
// login user (bash as its login shell when the bench runs as root) and, beside it, for a
// user whose login shell is /bin/sh (issue 18), on a second sshd of its own.
import { ensureShLoginUser, runningAsRoot } from '../test/harness/login-user.js';
import { clientArgs } from '../test/harness/ssh-client.js';
import { startSshd, type SshdHandle } from '../test/harness/sshd.js';
import { staysshCommandLine } from '../test/harness/stayssh-cli.js';
import type { Rig } from './rig.js';
import { attempt } from './outcome.js';
import type { Figure } from './report.js';
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
  /** The rig's login user (its shell in `shell`). */
  stayssh: StartupFigures;
  ssh: StartupFigures;
  /** Login shell of the rig's user, from passwd (/bin/bash for the root-made test user). */
  shell: string;
  /** The same for a user whose login shell is /bin/sh; skipped where it cannot be made. */
  sh: Figure<{ stayssh: StartupFigures; ssh: StartupFigures; shell: string }>;
  /** How peak RSS was read: 'GNU time' (maxrss at exit) or 'VmHWM poll (10 ms)'. */
  rssMethod: string;
}

type Client = 'stayssh' | 'ssh';

/** `host true` argv for a client against a server, straight to its port. */
function argvFor(client: Client, server: SshdHandle): string[] {
  const args = clientArgs(server);
  return client === 'stayssh' ? staysshCommandLine(args) : ['ssh', ...args];
}

/**
 * The sh user's own sshd (same config as the rig's), closed by rig.close() at the latest.
 * Skipped, not failed, without root: only root can make that user.
 */
async function shServer(rig: Rig): Promise<Figure<SshdHandle>> {
  if (!runningAsRoot()) return { ok: false, skipped: true, error: 'not root: the /bin/sh login user is made by root only' };
  return attempt(async () => {
    const server = await startSshd({ loginUser: await ensureShLoginUser() });
    rig.defer('sshd (sh user)', () => server.close());
    return server;
  });
}

export async function measureStartup(rig: Rig): Promise<StartupResult> {
  const sh = await shServer(rig);
  const servers: { name: 'main' | 'sh'; server: SshdHandle }[] = [{ name: 'main', server: rig.sshd }];
  if (sh.ok) servers.push({ name: 'sh', server: sh.value });
  const wall = { main: { stayssh: [] as number[], ssh: [] as number[] }, sh: { stayssh: [] as number[], ssh: [] as number[] } };
  const rss = { main: { stayssh: [] as number[], ssh: [] as number[] }, sh: { stayssh: [] as number[], ssh: [] as number[] } };
  for (let rep = 0; rep < STARTUP_REPS; rep++) {
    // Every (client, user) pair once per round, the order turning round by round.
    const pairs = servers.flatMap(({ name, server }) => (['ssh', 'stayssh'] as const).map((client) => ({ name, server, client })));
    for (let i = 0; i < pairs.length; i++) {
      const { name, server, client } = pairs[(i + rep) % pairs.length] as (typeof pairs)[number];
      const label = `${client} host true${name === 'sh' ? ' (sh user)' : ''}`;
      const run = await timedRun([...argvFor(client, server), 'true'], { label, env: rig.env, timeoutMs: RUN_TIMEOUT_MS, rssFile: rig.tmp.join('rss') });
      if (run.code !== 0) throw new Error(`${label}: exit ${run.code ?? run.signal}\n${run.stderr.slice(-2000)}`);
      wall[name][client].push(run.wallMs);
      if (run.peakRssKiB !== null) rss[name][client].push(run.peakRssKiB / 1024);
    }
  }
  const figures = (name: 'main' | 'sh', client: Client): StartupFigures => ({
    wallMs: summarize(wall[name][client]),
    peakRssMiB: summarize(rss[name][client]),
  });
  return {
    stayssh: figures('main', 'stayssh'),
    ssh: figures('main', 'ssh'),
    shell: rig.sshd.sessionEnv.SHELL ?? 'n/a',
    sh: sh.ok ? { ok: true, value: { stayssh: figures('sh', 'stayssh'), ssh: figures('sh', 'ssh'), shell: sh.value.sessionEnv.SHELL ?? 'n/a' } } : sh,
    rssMethod: (await hasGnuTime()) ? 'GNU time %M (maxrss at exit)' : 'VmHWM polled every 10 ms',
  };
}
