// Figure 7: on a slow link (issue 18). Every other figure is measured on loopback, where a
// round trip costs nothing; users are on links with 30-300 ms round trips. Here every
// client goes client -> delay proxy (bench/delay-proxy.ts: 25 ms each way, a 50 ms round
// trip) -> fault proxy -> sshd, side by side in the same run:
//   host true   `ssh host true` vs `stayssh host true`, wall time
//   login       spawn to the shell's prompt on the screen of a terminal pane: `ssh -t host`,
//               `ssh -t host tmux new` (what stayssh's own login includes), `stayssh host`,
//               and mosh, its UDP through the same delay (the proxy's UDP relay)
//   reattach    after a reset by the fault proxy, until the screen moves again
//               (bench/reattach.ts's ticker): stayssh vs autossh+ssh+tmux
// Clients take turns run by run, so load on a shared machine falls on all alike.
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import { isAlive, pidsWithEnv, trySignal } from '../test/harness/process-tree.js';
import { SERVER_MARKER_VAR } from '../test/harness/sshd.js';
import { waitFor } from '../test/harness/wait-for.js';
import { attempt, type Outcome } from './outcome.js';
import { timedRun } from './proc.js';
import { reattachAutossh, reattachStayssh, type ReattachResult } from './reattach.js';
import type { Figure } from './report.js';
import { shellLine, type Rig, type SlowLink } from './rig.js';
import { summarize, type Summary } from './stats.js';
import { pollScreen } from './ticker.js';

/** Runs per client for `host true` and for the login: N≈7, a median one odd run cannot move. */
export const SLOW_REPS = 7;
/** Resets per client (fewer than the loopback figure's 10: each costs more here). */
export const SLOW_RESETS = 7;
/** One `host true` over the slow link taking longer than this is a failure, ms. */
const RUN_TIMEOUT_MS = 30_000;
/** From Enter to the shell's prompt, longest before it counts as a failure, ms. */
const PROMPT_TIMEOUT_MS = 30_000;
/** The gate's line, waited for before Enter (not timed: the pane's own start-up). */
const GATE_TEXT = 'press Enter to dial';
/** The gate's own start-up in a fresh pane, ms: a tmux server and a sh, seconds when loaded. */
const GATE_TIMEOUT_MS = 15_000;
/** After `exit`, wait this long for the client to end, ms (one exchange, generous). */
const EXIT_TIMEOUT_MS = 10_000;
/** Round trips of the link check (UDP echoes through the delay proxy). */
const LINK_CHECK_PINGS = 20;
/** One echo not back within this is lost, ms (loopback loses none; a stuck proxy would). */
const LINK_CHECK_TIMEOUT_MS = 2_000;
/** A shell prompt ("bash-5.2$ ", "$ ") at the end of a screen line. */
const PROMPT = /\$\s*$/m;

export interface LoginFigures {
  samplesMs: number[];
  summary: Summary;
  /** Screen capture periods while waiting (the samples' granularity), ms. */
  pollMs: Summary;
}

export interface SlowLinkResult {
  oneWayMs: number;
  rttMs: number;
  /** Round trips measured through the delay proxy (UDP echo), ms: the link as built. */
  linkCheckMs: Outcome<Summary>;
  hostTrue: { stayssh: Outcome<Summary>; ssh: Outcome<Summary> };
  login: { stayssh: Outcome<LoginFigures>; ssh: Outcome<LoginFigures>; sshTmux: Outcome<LoginFigures>; mosh: Figure<LoginFigures> };
  reattach: ReattachResult;
  /** How many resets each reattach client was given. */
  resets: number;
}

/**
 * Runs each client's `once` `reps` times, clients taking turns (the order turning each
 * round). A client whose run fails is dropped with its error; the others go on.
 */
async function takeTurns<K extends string, T>(reps: number, clients: Record<K, () => Promise<T>>): Promise<Record<K, Outcome<T[]>>> {
  const names = Object.keys(clients) as K[];
  const samples = Object.fromEntries(names.map((n) => [n, [] as T[]])) as Record<K, T[]>;
  const failed = {} as Record<K, string>;
  for (let rep = 0; rep < reps; rep++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + rep) % names.length] as K;
      if (failed[name] !== undefined) continue;
      const out = await attempt(clients[name]);
      if (out.ok) samples[name].push(out.value);
      else failed[name] = out.error;
    }
  }
  return Object.fromEntries(names.map((n) => [n, failed[n] === undefined ? { ok: true, value: samples[n] } : { ok: false, error: failed[n] }])) as Record<
    K,
    Outcome<T[]>
  >;
}

function mapOutcome<T, U>(o: Outcome<T>, fn: (v: T) => U): Outcome<U> {
  return o.ok ? { ok: true, value: fn(o.value) } : o;
}

async function hostTrue(rig: Rig): Promise<SlowLinkResult['hostTrue']> {
  const once = (client: 'stayssh' | 'ssh') => async (): Promise<number> => {
    const argv = client === 'stayssh' ? rig.stayssh({ route: 'slow' }) : rig.ssh({ route: 'slow' });
    const label = `${client} host true (slow link)`;
    const run = await timedRun([...argv, 'true'], { label, env: rig.env, timeoutMs: RUN_TIMEOUT_MS, rssFile: rig.tmp.join('rss') });
    if (run.code !== 0) throw new Error(`${label}: exit ${run.code ?? run.signal}\n${run.stderr.slice(-2000)}`);
    return run.wallMs;
  };
  const runs = await takeTurns(SLOW_REPS, { ssh: once('ssh'), stayssh: once('stayssh') });
  return { stayssh: mapOutcome(runs.stayssh, summarize), ssh: mapOutcome(runs.ssh, summarize) };
}

/**
 * One login in a fresh terminal pane. The pane first runs a gate (`read`, then exec the
 * client), so the clock starts when Enter is pressed, not while tmux builds the pane; it
 * stops at the first screen capture that shows a prompt. Then `exit` ends the session
 * (none is left on the server) and `after` tidies what the client left.
 */
async function loginOnce(rig: Rig, argv: readonly string[], after?: () => Promise<void>): Promise<{ ms: number; gaps: number[] }> {
  const gate = `printf '%s\\n' '${GATE_TEXT}'; read _ && exec "$@"`;
  const term = await rig.terminal({ command: ['/bin/sh', '-c', gate, 'gate', ...argv], cols: 100, rows: 30 });
  try {
    await term.waitForText(GATE_TEXT, { timeoutMs: GATE_TIMEOUT_MS });
    const startedAtMs = Date.now();
    await term.press('Enter');
    const seen = await pollScreen(term, (screen) => PROMPT.test(screen), PROMPT_TIMEOUT_MS, () => `${argv[0] ?? ''}: no shell prompt within ${PROMPT_TIMEOUT_MS} ms`);
    await term.type('exit');
    await term.press('Enter');
    await term.waitForExit({ timeoutMs: EXIT_TIMEOUT_MS }).catch(() => undefined);
    return { ms: seen.seenAtMs - startedAtMs, gaps: seen.pollGapsMs };
  } finally {
    await term.close();
    await after?.();
  }
}

function loginFigures(runs: { ms: number; gaps: number[] }[]): LoginFigures {
  const samplesMs = runs.map((r) => r.ms);
  return { samplesMs, summary: summarize(samplesMs), pollMs: summarize(runs.flatMap((r) => r.gaps)) };
}

/** True when `mosh`, `mosh-client` and `mosh-server` all answer --version. */
function moshInstalled(): Promise<boolean> {
  const answers = (cmd: string) => new Promise<boolean>((resolve) => execFile(cmd, ['--version'], { timeout: 5_000 }, (err) => resolve(!err)));
  return Promise.all(['mosh', 'mosh-client', 'mosh-server'].map(answers)).then((all) => all.every(Boolean));
}

/**
 * mosh over the slow link. Its ssh leg dials the delay proxy like the other clients (mosh
 * --ssh, with the same options); mosh-server is pinned to the UDP port the delay proxy
 * relays to (mosh --port), and a --client wrapper hands mosh-client the relay's port in
 * place of the server's, so every datagram is held 25 ms each way as the TCP bytes are.
 */
function moshArgv(rig: Rig, link: SlowLink): string[] {
  const wrapper = rig.tmp.join('mosh-client-slow.sh');
  writeFileSync(
    wrapper,
    [
      '#!/bin/sh',
      '# mosh --client for the bench\'s slow link: the real mosh-client, its datagrams sent',
      '# through the delay proxy\'s UDP relay, which forwards to the pinned mosh-server port.',
      'if [ "$1" = -c ]; then exec mosh-client -c; fi',
      `if [ "$3" != ${link.moshServerPort} ]; then echo "mosh-server on port $3, not the pinned ${link.moshServerPort}" >&2; exit 1; fi`,
      `exec mosh-client "$1" "$2" ${link.delay.udpPort ?? 0}`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  const ssh = rig.ssh({ route: 'slow' });
  const destination = ssh[ssh.length - 1] as string;
  return ['mosh', `--ssh=${shellLine(ssh.slice(0, -1))}`, `--port=${link.moshServerPort}`, `--client=${wrapper}`, '--', destination];
}

/**
 * Ends any mosh-server of this rig's sshd left running (one whose client went away waits
 * for it), by pid: the next login needs its pinned port.
 */
async function endMoshServers(rig: Rig): Promise<void> {
  const marker = rig.sshd.sessionEnv[SERVER_MARKER_VAR] ?? '';
  const comm = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      return '';
    }
  };
  const servers = pidsWithEnv(SERVER_MARKER_VAR, marker).filter((pid) => comm(pid) === 'mosh-server');
  for (const pid of servers) trySignal(pid, 'SIGKILL');
  await waitFor(() => servers.every((pid) => !isAlive(pid)), { timeoutMs: EXIT_TIMEOUT_MS, what: 'mosh-server to exit' });
}

async function logins(rig: Rig, link: SlowLink): Promise<SlowLinkResult['login']> {
  const haveMosh = await moshInstalled();
  const clients = {
    ssh: () => loginOnce(rig, rig.ssh({ route: 'slow', extra: ['-t'] })),
    sshTmux: () => loginOnce(rig, [...rig.ssh({ route: 'slow', extra: ['-t'] }), 'tmux new']),
    stayssh: () => loginOnce(rig, rig.stayssh({ route: 'slow' })),
    ...(haveMosh ? { mosh: () => loginOnce(rig, moshArgv(rig, link), () => endMoshServers(rig)) } : {}),
  };
  const runs = await takeTurns(SLOW_REPS, clients as Record<'ssh' | 'sshTmux' | 'stayssh' | 'mosh', () => Promise<{ ms: number; gaps: number[] }>>);
  return {
    ssh: mapOutcome(runs.ssh, loginFigures),
    sshTmux: mapOutcome(runs.sshTmux, loginFigures),
    stayssh: mapOutcome(runs.stayssh, loginFigures),
    mosh: haveMosh ? mapOutcome(runs.mosh, loginFigures) : { ok: false, skipped: true, error: 'mosh, mosh-client or mosh-server not installed' },
  };
}

/**
 * What one round trip of the slow link costs, measured: datagrams through the delay
 * proxy's UDP relay to an echo bound, for now, on the port mosh-server will use. Same
 * process, same queues and timers as the TCP bytes; plus this process's own latency at
 * both ends (it sends, echoes and receives).
 */
async function linkCheck(link: SlowLink): Promise<Summary> {
  const echo = createSocket('udp4');
  const client = createSocket('udp4');
  try {
    echo.on('message', (msg, from) => echo.send(msg, from.port, from.address));
    await new Promise<void>((resolve, reject) => {
      echo.once('error', reject);
      echo.bind(link.moshServerPort, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
    const samples: number[] = [];
    for (let i = 0; i < LINK_CHECK_PINGS; i++) {
      const started = performance.now();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`link check: echo ${i + 1} not back within ${LINK_CHECK_TIMEOUT_MS} ms`)), LINK_CHECK_TIMEOUT_MS);
        client.once('message', () => {
          clearTimeout(timer);
          resolve();
        });
        client.send(`ping ${i}`, link.delay.udpPort ?? 0, '127.0.0.1');
      });
      samples.push(performance.now() - started);
    }
    return summarize(samples);
  } finally {
    echo.close();
    client.close();
  }
}

/** Runs one part of the figure, saying on stderr how long it took (the figure has a budget). */
async function part<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    process.stderr.write(`bench: slowlink: ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
}

export async function measureSlowLink(rig: Rig): Promise<SlowLinkResult> {
  const link = await rig.slowLink();
  const linkCheckMs = await attempt(() => linkCheck(link));
  const ht = await part('host true', () => hostTrue(rig));
  const login = await part('logins', () => logins(rig, link));
  const run = { route: 'slow' as const, reps: SLOW_RESETS, tag: 'slowlink' };
  const stayssh = await part('reattach, stayssh', () => attempt(() => reattachStayssh(rig, run)));
  const autossh = await part('reattach, autossh', () => attempt(() => reattachAutossh(rig, run)));
  return { oneWayMs: link.delay.oneWayMs, rttMs: 2 * link.delay.oneWayMs, linkCheckMs, hostTrue: ht, login, reattach: { stayssh, autossh }, resets: SLOW_RESETS };
}
