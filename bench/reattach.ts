// Figure 1: reattach after a link reset. stayssh vs autossh restarting
// `ssh -t host tmux new -A -s reattach`, both in a real terminal (tmux pane), both through the
// same fault proxy, a ticker printing every 20 ms; time from proxy.reset() until a line
// printed after the reset is on the screen. The slow-link figure (bench/slow-link.ts)
// runs the same two measurements over the slow route.
import type { Terminal } from '../test/harness/terminal.js';
import type { Rig, Route } from './rig.js';
import { attempt, type Outcome } from './outcome.js';
import { firstEventAfter, readEvents } from './events-file.js';
import { sleep, summarize, type Summary } from './stats.js';
import { startTicker, waitForTickAfter } from './ticker.js';

/** Resets per client (the brief: ~10). */
export const REATTACH_REPS = 10;
/** A single reattach taking longer than this (ms) is a failure, not a sample. */
const REATTACH_TIMEOUT_MS = 20_000;
/** Quiet time after the screen moved before the next reset, ms: the redraw settles. */
const SETTLE_MS = 400;
/** Liveness settings a typical user would put in ~/.ssh/config (both clients). */
export const USER_ALIVE = { ServerAliveInterval: '5', ServerAliveCountMax: '2' };
/** Wait for the shell to end after `exit`, ms: one exchange with the server, generous. */
const END_TIMEOUT_MS = 10_000;

/** Which link, how many resets, and names that keep runs apart on the one server. */
export interface ReattachRun {
  route: Route;
  reps: number;
  /** Names this run's events file and the autossh column's tmux session (`tmux new -A -s TAG`). */
  tag: string;
}

export interface ClientReattach {
  samplesMs: number[];
  summary: Summary;
  /** Screen capture periods during the waits (granularity of the samples). */
  pollMs: Summary;
}

export interface StaysshPhases {
  /** reset -> `disconnected` event (noticing the dead link). */
  detect: Summary;
  /** `disconnected` -> `connected` (TCP dial, key exchange, authentication). */
  dialAuth: Summary;
  /** `connected` -> `reconnected` (exec of the shim, tmux attach, its report). */
  attach: Summary;
  /** `reconnected` -> fresh tick seen on the screen (redraw reaching the terminal + poll). */
  redraw: Summary;
}

export interface ReattachResult {
  stayssh: Outcome<ClientReattach & { phases: StaysshPhases }>;
  autossh: Outcome<ClientReattach>;
}

async function waitForPrompt(term: Terminal, what: string): Promise<void> {
  await term.waitForText(/\$\s*$/m, { timeoutMs: 20_000 }).catch((err: Error) => {
    throw new Error(`${what}: no shell prompt\n${err.message}`);
  });
}

/**
 * Stops the ticker and ends the shell, so that no session is left ticking on the server
 * through the figures after this one. Best effort: the terminal is closed after it anyway.
 */
async function endShell(term: Terminal): Promise<void> {
  try {
    await term.press('C-c');
    await term.waitForText(/\$\s*$/m, { timeoutMs: END_TIMEOUT_MS });
    await term.type('exit');
    await term.press('Enter');
    await term.waitForExit({ timeoutMs: END_TIMEOUT_MS });
  } catch {
    // Left to term.close() and, at the end, the rig's sshd.close().
  }
}

/** Resets the link `reps` times under a ticking screen; one sample per reset. */
async function resetLoop(
  rig: Rig,
  term: Terminal,
  what: string,
  reps: number,
  onSample?: (resetAtMs: number, seenAtMs: number) => void,
): Promise<{ samplesMs: number[]; pollGapsMs: number[] }> {
  const samples: number[] = [];
  const gaps: number[] = [];
  for (let rep = 1; rep <= reps; rep++) {
    await sleep(SETTLE_MS);
    const resetAtMs = Date.now();
    rig.proxy.reset();
    const watch = await waitForTickAfter(term, resetAtMs, REATTACH_TIMEOUT_MS).catch((err: Error) => {
      throw new Error(`${what}, reset #${rep}: ${err.message}`);
    });
    samples.push(watch.seenAtMs - resetAtMs);
    gaps.push(...watch.pollGapsMs);
    onSample?.(resetAtMs, watch.seenAtMs);
  }
  return { samplesMs: samples, pollGapsMs: gaps };
}

export async function reattachStayssh(rig: Rig, run: ReattachRun): Promise<ClientReattach & { phases: StaysshPhases }> {
  const eventsFile = rig.tmp.join(`${run.tag}-events.jsonl`);
  const argv = rig.stayssh({ route: run.route, options: USER_ALIVE, extra: ['--events', eventsFile] });
  const term = await rig.terminal({ command: argv, cols: 100, rows: 30 });
  try {
    await waitForPrompt(term, 'stayssh');
    await startTicker(term);
    const resets: { resetAtMs: number; seenAtMs: number }[] = [];
    const loop = await resetLoop(rig, term, 'stayssh', run.reps, (resetAtMs, seenAtMs) => resets.push({ resetAtMs, seenAtMs }));
    await endShell(term);
    const events = readEvents(eventsFile);
    const detect: number[] = [];
    const dialAuth: number[] = [];
    const attach: number[] = [];
    const redraw: number[] = [];
    for (const { resetAtMs, seenAtMs } of resets) {
      const lost = firstEventAfter(events, 'disconnected', resetAtMs);
      const connected = lost && firstEventAfter(events, 'connected', lost.atMs);
      const back = connected && firstEventAfter(events, 'reconnected', connected.atMs);
      if (!lost || !connected || !back) continue;
      detect.push(lost.atMs - resetAtMs);
      dialAuth.push(connected.atMs - lost.atMs);
      attach.push(back.atMs - connected.atMs);
      redraw.push(seenAtMs - back.atMs);
    }
    return {
      samplesMs: loop.samplesMs,
      summary: summarize(loop.samplesMs),
      pollMs: summarize(loop.pollGapsMs),
      phases: { detect: summarize(detect), dialAuth: summarize(dialAuth), attach: summarize(attach), redraw: summarize(redraw) },
    };
  } finally {
    await term.close();
  }
}

/**
 * autossh's grace_time() counts restarts of an ssh that lived under 10 s and, past 5 of
 * them, sleeps 2 s, 8 s, 18 s... before the next. Resets a second apart would trip that;
 * real outages minutes apart do not. So a fresh autossh takes over every 5 resets (the
 * tmux session and its ticker live on; `tmux new -A` attaches to it again).
 */
export const AUTOSSH_RESETS_PER_PROCESS = 5;

export async function reattachAutossh(rig: Rig, run: ReattachRun): Promise<ClientReattach> {
  const ssh = rig.ssh({ route: run.route, options: USER_ALIVE, extra: ['-t'] });
  // -M 0: no monitor port, rely on ServerAlive* as most guides say. The command as one
  // word, as people type it: autossh hands ssh an argv in which a bare `-s` after the
  // host would be read as ssh's own subsystem flag.
  const argv = ['autossh', '-M', '0', ...ssh.slice(1), `tmux new -A -s ${run.tag}`];
  const samples: number[] = [];
  const gaps: number[] = [];
  let first = true;
  while (samples.length < run.reps) {
    const term = await rig.terminal({ command: argv, cols: 100, rows: 30, env: { AUTOSSH_GATETIME: '0' } });
    try {
      if (first) {
        await waitForPrompt(term, 'autossh');
        await startTicker(term);
      } else {
        // `tmux new -A` lands in the running session: the ticker, no prompt.
        await waitForTickAfter(term, Date.now(), 20_000).catch((err: Error) => {
          throw new Error(`autossh (fresh process): ${err.message}`);
        });
      }
      first = false;
      const reps = Math.min(AUTOSSH_RESETS_PER_PROCESS, run.reps - samples.length);
      const part = await resetLoop(rig, term, 'autossh', reps);
      samples.push(...part.samplesMs);
      gaps.push(...part.pollGapsMs);
      if (samples.length >= run.reps) await endShell(term);
    } finally {
      await term.close();
    }
  }
  return { samplesMs: samples, summary: summarize(samples), pollMs: summarize(gaps) };
}

export async function measureReattach(rig: Rig): Promise<ReattachResult> {
  const run: ReattachRun = { route: 'proxy', reps: REATTACH_REPS, tag: 'reattach' };
  const stayssh = await attempt(() => reattachStayssh(rig, run));
  const autossh = await attempt(() => reattachAutossh(rig, run));
  return { stayssh, autossh };
}
