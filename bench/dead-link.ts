// Figure 2: noticing a dead link. Both clients tick (a line every 20 ms from the server),
// then the proxy black-holes every link: nothing moves, nothing closes. stayssh with its
// defaults (5 s × 2, docs/BEHAVIOUR.md §3) in a terminal: when its status line appears and when it
// emits `disconnected`; OpenSSH with ServerAliveInterval=5, ServerAliveCountMax=2: when
// it exits ("Timeout, server not responding"). Both watched at once, one black hole.
import { spawn } from 'node:child_process';
import type { Terminal } from '../test/harness/terminal.js';
import type { Rig } from './rig.js';
import { firstEventAfter, readEvents } from './events-file.js';
import { killTree } from './proc.js';
import { sleep } from './stats.js';
import { startTicker, TICKER, waitForTickAfter } from './ticker.js';

/** Longest a verdict may take before it counts as "never" (ms): 5 s × 2 plus slack. */
const VERDICT_TIMEOUT_MS = 30_000;
/** Screen poll period while waiting for the status line (ms). */
const STATUS_POLL_MS = 20;
/** A status line of docs/BEHAVIOUR.md §3 ("stayssh: no reply for 6s · ~. to leave", "link lost ..."). */
const STATUS_LINE = /^stayssh: .*(no reply|silent|lost).*$/m;

export interface DeadLinkResult {
  stayssh: {
    /** black hole -> status line first on screen (the link "in doubt"), ms. */
    statusLineMs: number;
    /** black hole -> `disconnected` event (the link declared dead), ms. */
    disconnectedMs: number;
    /** The status line as first shown, and as shown once the link was declared dead. */
    firstStatusLine: string;
    deadStatusLine: string;
    /** restore() -> screen moving again (re-dial after the black hole), ms. */
    backAfterRestoreMs: number | null;
  };
  ssh: {
    /** black hole -> ssh exited, ms. */
    exitMs: number;
    exitCode: number | null;
    message: string;
  };
  /** Screen poll period, ms. */
  pollMs: number;
}

async function waitForStatus(term: Terminal, deadline: number, predicate: (line: string) => boolean): Promise<{ atMs: number; line: string }> {
  for (;;) {
    const screen = await term.screen();
    const line = STATUS_LINE.exec(screen)?.[0]?.trim();
    const atMs = Date.now();
    if (line !== undefined && predicate(line)) return { atMs, line };
    if (atMs > deadline) throw new Error(`no stayssh status line within ${VERDICT_TIMEOUT_MS} ms of the black hole\nscreen was:\n${screen}`);
    await sleep(STATUS_POLL_MS);
  }
}

export async function measureDeadLink(rig: Rig): Promise<DeadLinkResult> {
  const eventsFile = rig.tmp.join('deadlink-events.jsonl');
  const term = await rig.terminal({ command: rig.stayssh({ route: 'proxy', extra: ['--events', eventsFile] }), cols: 100, rows: 30 });
  const sshArgv = rig.ssh({ route: 'proxy', options: { ServerAliveInterval: '5', ServerAliveCountMax: '2' } });
  const ssh = spawn(sshArgv[0] as string, [...sshArgv.slice(1), TICKER], { env: rig.env, stdio: ['pipe', 'pipe', 'pipe'] });
  const stopSsh = rig.defer('ssh (dead link)', () => {
    if (ssh.pid !== undefined && ssh.exitCode === null) killTree(ssh.pid);
  });
  let sshOut = '';
  let sshErr = '';
  ssh.stdout.setEncoding('utf8').on('data', (d: string) => (sshOut = (sshOut + d).slice(-200)));
  ssh.stderr.setEncoding('utf8').on('data', (d: string) => (sshErr += d));
  const sshExit = new Promise<{ atMs: number; code: number | null }>((resolve) => ssh.once('exit', (code) => resolve({ atMs: Date.now(), code })));
  try {
    await term.waitForText(/\$\s*$/m, { timeoutMs: 20_000 });
    await startTicker(term);
    // ssh ticking too: a fresh line on its stdout.
    const sshTicking = Date.now() + 15_000;
    while (!/tick \d+ \d{13}\n/.test(sshOut)) {
      if (Date.now() > sshTicking || ssh.exitCode !== null) throw new Error(`ssh never started ticking: ${sshErr.trim()}`);
      await sleep(20);
    }
    await sleep(500);

    const holeAtMs = Date.now();
    rig.proxy.blackhole();
    const deadline = holeAtMs + VERDICT_TIMEOUT_MS;
    const first = await waitForStatus(term, deadline, () => true);
    let lost: number | undefined;
    while (Date.now() < deadline && lost === undefined) {
      lost = firstEventAfter(readEvents(eventsFile), 'disconnected', holeAtMs)?.atMs;
      if (lost === undefined) await sleep(STATUS_POLL_MS);
    }
    if (lost === undefined) throw new Error(`stayssh emitted no 'disconnected' event within ${VERDICT_TIMEOUT_MS} ms of the black hole`);
    // What a person sees once the link is declared dead (a moment later for the redraw).
    await sleep(1_500);
    const dead = await waitForStatus(term, deadline + 5_000, (line) => /lost/.test(line)).catch(() => undefined);
    const sshDone = await Promise.race([sshExit, sleep(Math.max(0, deadline - Date.now())).then(() => undefined)]);
    if (!sshDone) throw new Error(`ssh did not exit within ${VERDICT_TIMEOUT_MS} ms of the black hole`);

    const restoredAtMs = Date.now();
    await rig.proxy.restore();
    const back = await waitForTickAfter(term, restoredAtMs, 30_000).catch(() => undefined);
    return {
      stayssh: {
        statusLineMs: first.atMs - holeAtMs,
        disconnectedMs: lost - holeAtMs,
        firstStatusLine: first.line,
        deadStatusLine: dead?.line ?? '(not captured)',
        backAfterRestoreMs: back ? back.seenAtMs - restoredAtMs : null,
      },
      ssh: { exitMs: sshDone.atMs - holeAtMs, exitCode: sshDone.code, message: sshErr.trim().split('\n').pop() ?? '' },
      pollMs: STATUS_POLL_MS,
    };
  } finally {
    if (rig.proxy.mode !== 'pass') await rig.proxy.restore();
    await stopSsh();
    await term.close();
  }
}
