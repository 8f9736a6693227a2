// Turns the measured figures into tables (stayssh | comparison | ratio) and the Markdown
// block for docs/BENCHMARKS.md. Ratios are always stayssh ÷ comparison: below 1× is faster for
// times, above 1× is faster for throughput.
import type { Machine } from './machine.js';
import { firstLine, type Outcome } from './outcome.js';
import type { DeadLinkResult } from './dead-link.js';
import type { EchoResult } from './echo-latency.js';
import { AUTOSSH_RESETS_PER_PROCESS, type ReattachResult } from './reattach.js';
import type { RoamingResult } from './roaming.js';
import type { SlowLinkResult } from './slow-link.js';
import type { StartupResult } from './startup.js';
import { DOWNLOAD_BYTES, THROUGHPUT_REPS, UPLOAD_BYTES, type ThroughputResult } from './throughput.js';
import type { Summary } from './stats.js';
import { fmtMs, fmtNum, fmtS, ratio, renderMarkdown, renderText, type Table } from './table.js';
import { TICK_MS } from './ticker.js';

/** Not run (left out with --only), or its outcome. */
export type Figure<T> = Outcome<T> | { ok: false; skipped: true; error: string };

export interface BenchResults {
  startedAt: string;
  durationS: number;
  machine: Machine;
  loadAtEnd: number;
  reattach: Figure<ReattachResult>;
  deadLink: Figure<DeadLinkResult>;
  roaming: Figure<RoamingResult>;
  echo: Figure<EchoResult>;
  throughput: Figure<ThroughputResult>;
  startup: Figure<StartupResult>;
  slowLink: Figure<SlowLinkResult>;
}

const NA = 'n/a';
const val = <T>(o: Outcome<T>): T | undefined => (o.ok ? o.value : undefined);
const why = (o: Outcome<unknown>): string | undefined => (o.ok ? undefined : firstLine(o.error));

function failedTable(title: string, o: Figure<unknown>): Table {
  const skipped = !o.ok && 'skipped' in o;
  return { title, headers: ['', ''], rows: [[skipped ? 'skipped' : 'NOT MEASURED', skipped ? '(--only)' : (why(o) ?? '')]], notes: [] };
}

/** median/p90/min/max rows of two summaries side by side. */
function summaryRows(a: Summary | undefined, b: Summary | undefined, fmt: (v: number) => string): string[][] {
  return (['median', 'p90', 'min', 'max'] as const).map((k) => [k, a ? fmt(a[k]) : NA, b ? fmt(b[k]) : NA, ratio(a?.[k], b?.[k])]);
}

function reattachTable(o: Figure<ReattachResult>): Table {
  const title = '1. Reattach after a link reset (ms from the reset to a newer counter on screen)';
  if (!o.ok) return failedTable(title, o);
  const s = val(o.value.stayssh);
  const a = val(o.value.autossh);
  const notes = [
    `${s?.summary.n ?? 0} / ${a?.summary.n ?? 0} resets; ticker every ${TICK_MS} ms; screen polled with capture-pane, median period ${fmtMs(s?.pollMs.median ?? NaN)} / ${fmtMs(a?.pollMs.median ?? NaN)} ms (p90 ${fmtMs(s?.pollMs.p90 ?? NaN)} / ${fmtMs(a?.pollMs.p90 ?? NaN)}).`,
    `autossh -M 0, AUTOSSH_GATETIME=0, ServerAliveInterval=5, ServerAliveCountMax=2 (stayssh the same); a fresh autossh every ${AUTOSSH_RESETS_PER_PROCESS} resets, before its fast-restart throttle.`,
  ];
  if (s) {
    const p = s.phases;
    notes.push(
      `stayssh phases (median, ms, from --events): notice ${fmtMs(p.detect.median)} · dial+auth ${fmtMs(p.dialAuth.median)} · exec+tmux attach ${fmtMs(p.attach.median)} · redraw+poll ${fmtMs(p.redraw.median)}.`,
    );
  }
  for (const [name, r] of [['stayssh', o.value.stayssh], ['autossh', o.value.autossh]] as const) if (!r.ok) notes.push(`${name} failed: ${why(r)}`);
  return { title, headers: ['', 'stayssh', 'autossh+ssh+tmux', 'ratio'], rows: summaryRows(s?.summary, a?.summary, fmtMs), notes };
}

function deadLinkTable(o: Figure<DeadLinkResult>): Table {
  const title = '2. Dead link on a black hole (time from the black hole)';
  if (!o.ok) return failedTable(title, o);
  const { stayssh: s, ssh } = o.value;
  return {
    title,
    headers: ['', 'stayssh (5 s × 2 default)', 'ssh (ServerAlive 5 × 2)', 'ratio'],
    rows: [
      ['outage shown', fmtS(s.statusLineMs), '(nothing)', NA],
      ['declared dead', fmtS(s.disconnectedMs), fmtS(ssh.exitMs), ratio(s.disconnectedMs, ssh.exitMs)],
    ],
    notes: [
      `stayssh "declared dead" = its \`disconnected\` event; ssh = its exit (${ssh.exitCode ?? 'signal'}: "${ssh.message}").`,
      `stayssh shows at first: "${s.firstStatusLine}"`,
      `and once dead: "${s.deadStatusLine}"`,
      `after restore(), stayssh's screen moved again in ${s.backAfterRestoreMs === null ? NA : fmtS(s.backAfterRestoreMs)}; ssh is gone. Screen polled every ${s ? o.value.pollMs : NA} ms.`,
    ],
  };
}

function roamingTable(o: Figure<RoamingResult>): Table {
  const title = '3. Roaming: back after the client address changes (ms from the change)';
  if (!o.ok) return failedTable(title, o);
  const r = o.value;
  const shell = { s: val(r.stayssh)?.summary, a: val(r.autossh)?.summary };
  const tunnel = { s: val(r.tunnel)?.summary, a: val(r.autosshTunnel)?.summary };
  const rows = [
    ...summaryRows(shell.s, shell.a, fmtMs).map(([k, ...rest]) => [`shell back on screen, ${k}`, ...rest]),
    ...summaryRows(tunnel.s, tunnel.a, fmtMs).map(([k, ...rest]) => [`-N -L tunnel carries data, ${k}`, ...rest]),
  ];
  const notes = [
    `client in its own network namespace (test/harness/netns.ts); timed from the moment the new address is up, the old one deleted and the default route moved; ServerAlive 5 × 2 for all; shell ${shell.s?.n ?? 0} / ${shell.a?.n ?? 0} roams, tunnel ${tunnel.s?.n ?? 0} / ${tunnel.a?.n ?? 0}.`,
    'shell: a newer ticker line on screen; autossh column: autossh -M 0 + ssh -t + tmux new -A.',
    'tunnel: a new connection through the -L port, opened right after the change (again at once if refused or cut), gets its echo from an echo server on the server side; autossh column: autossh -M 0 ssh -N -L, ExitOnForwardFailure=yes.',
    `stayssh tunnel ÷ stayssh shell, median: ${ratio(tunnel.s?.median, shell.s?.median)}.`,
  ];
  for (const [name, f] of [['shell, stayssh', r.stayssh], ['shell, autossh', r.autossh], ['tunnel, stayssh', r.tunnel], ['tunnel, autossh', r.autosshTunnel]] as const) {
    if (!f.ok) notes.push(`${name}: n/a (${why(f)})`);
  }
  return { title, headers: ['', 'stayssh', 'autossh -M 0', 'ratio'], rows, notes };
}

/** Echo rows: who, how measured against what, and the yardstick each is divided by. */
const ECHO_ROWS: readonly { key: keyof EchoResult; label: string; base: keyof EchoResult; baseLabel: string }[] = [
  { key: 'stayssh', label: 'stayssh (tmux)', base: 'sshPlain', baseLabel: 'ssh -t' },
  { key: 'stayssh', label: '', base: 'sshTmux', baseLabel: 'ssh -t + tmux' },
  { key: 'staysshScreen', label: 'stayssh --mux screen', base: 'sshPlain', baseLabel: 'ssh -t' },
  { key: 'staysshScreen', label: '', base: 'sshScreen', baseLabel: 'ssh -t + screen' },
  { key: 'sshTmux', label: 'ssh -t + tmux', base: 'sshPlain', baseLabel: 'ssh -t' },
  { key: 'sshScreen', label: 'ssh -t + screen', base: 'sshPlain', baseLabel: 'ssh -t' },
  { key: 'sshPlain', label: 'ssh -t (floor)', base: 'sshPlain', baseLabel: 'ssh -t' },
  { key: 'localNode', label: 'local pty: Node relay', base: 'localCat', baseLabel: 'cat' },
  { key: 'localCat', label: 'local pty: cat', base: 'localCat', baseLabel: 'cat' },
];

function echoTable(o: Figure<EchoResult>): Table {
  const title = '4. Keystroke echo latency through a pty (ms)';
  if (!o.ok) return failedTable(title, o);
  const r = o.value;
  const rows = ECHO_ROWS.map(({ key, label, base, baseLabel }) => {
    const s = val(r[key])?.summary;
    const b = val(r[base])?.summary;
    const same = label === '';
    return [label, same || !s ? '' : fmtMs(s.median), same || !s ? '' : fmtMs(s.p90), `${ratio(s?.median, b?.median)} ${baseLabel}`];
  });
  const n = val(r.stayssh)?.summary.n ?? 0;
  const notes = [
    `${n} keystrokes each, one at a time, all clients taking turns (one key each per round), to \`cat\` on the server; client under \`script -qfec\`, echo seen on script's stdout (hrtime).`,
    'local pty rows: no network, no SSH; the same script pty echoing through `cat` (raw) or bench/pty-relay.ts (Node: stdin `data` → stdout.write). Their difference is what one Node hop costs; a client makes two per keystroke.',
  ];
  const med = (k: keyof EchoResult) => val(r[k])?.summary.median ?? NaN;
  const nodeHop = med('localNode') - med('localCat');
  notes.push(
    `what stayssh adds to ssh with the same multiplexer: +${fmtMs(med('stayssh') - med('sshTmux'))} ms (tmux), +${fmtMs(med('staysshScreen') - med('sshScreen'))} ms (screen); two Node hops alone: +${fmtMs(2 * nodeHop)} ms.`,
  );
  for (const [key, f] of Object.entries(r) as [keyof EchoResult, EchoResult[keyof EchoResult]][]) if (!f.ok) notes.push(`${key} failed: ${why(f) ?? ''}`);
  return { title, headers: ['', 'median', 'p90', 'median ratio'], rows, notes };
}

function throughputTable(o: Figure<ThroughputResult>): Table {
  const title = '5. Stream throughput (MB/s, 10^6 bytes; higher is better)';
  if (!o.ok) return failedTable(title, o);
  const rows: string[][] = [];
  const notes = [`stdout piped into \`wc -c\`, which must count every byte; median of ${THROUGHPUT_REPS} runs per client, alternating.`];
  for (const [label, dir] of [[`${DOWNLOAD_BYTES / 1e6} MB from stdout`, o.value.download], [`${UPLOAD_BYTES / 1e6} MB into stdin`, o.value.upload]] as const) {
    const s = val(dir.stayssh);
    const h = val(dir.ssh);
    rows.push([label, s ? fmtNum(s.summary.median, 0) : NA, h ? fmtNum(h.summary.median, 0) : NA, ratio(s?.summary.median, h?.summary.median)]);
    rows.push([`  client peak RSS (MiB)`, s ? fmtNum(s.peakRssMiB.max, 0) : NA, h ? fmtNum(h.peakRssMiB.max, 0) : NA, ratio(s?.peakRssMiB.max, h?.peakRssMiB.max)]);
    for (const [name, r] of [['stayssh', dir.stayssh], ['ssh', dir.ssh]] as const) if (!r.ok) notes.push(`${label}, ${name} failed: ${why(r)}`);
  }
  return { title, headers: ['', 'stayssh', 'ssh', 'ratio'], rows, notes };
}

function startupTable(o: Figure<StartupResult>): Table {
  const title = '6. Start-up: `host true` (wall time) and client peak RSS';
  if (!o.ok) return failedTable(title, o);
  const { stayssh: s, ssh } = o.value;
  const shell = (path: string) => path.split('/').pop() ?? path;
  const wallRows = (who: string, a: StartupResult['stayssh'], b: StartupResult['ssh']) => [
    [`wall, median (ms), ${who}`, fmtMs(a.wallMs.median), fmtMs(b.wallMs.median), ratio(a.wallMs.median, b.wallMs.median)],
    [`wall, p90 (ms), ${who}`, fmtMs(a.wallMs.p90), fmtMs(b.wallMs.p90), ratio(a.wallMs.p90, b.wallMs.p90)],
  ];
  const rows = wallRows(`${shell(o.value.shell)} user`, s, ssh);
  const notes = [`${s.wallMs.n} runs each, taking turns; RSS by ${o.value.rssMethod}.`];
  const sh = o.value.sh;
  if (sh.ok) {
    rows.push(...wallRows(`${shell(sh.value.shell)} user`, sh.value.stayssh, sh.value.ssh));
    notes.push(
      `login shells: ${o.value.shell} and ${sh.value.shell} (two users, each with an empty home on a sshd of its own; the runs of both take turns); peak RSS from the first.`,
    );
  } else {
    notes.push(`login shell ${o.value.shell}; the /bin/sh user: n/a (${why(sh) ?? ''}).`);
  }
  rows.push(['peak RSS, median (MiB)', fmtNum(s.peakRssMiB.median, 1), fmtNum(ssh.peakRssMiB.median, 1), ratio(s.peakRssMiB.median, ssh.peakRssMiB.median)]);
  return { title, headers: ['', 'stayssh', 'ssh', 'ratio'], rows, notes };
}

function slowLinkTable(o: Figure<SlowLinkResult>): Table {
  if (!o.ok) return failedTable('7. Slow link', o);
  const r = o.value;
  const title = `7. Slow link: a ${r.rttMs} ms round trip (ms, median (p90))`;
  const cell = (m: Summary | undefined) => (m ? `${fmtMs(m.median)} (${fmtMs(m.p90)})` : NA);
  const row = (label: string, a: Summary | undefined, b: Summary | undefined) => [label, cell(a), cell(b), ratio(a?.median, b?.median)];
  const loginS = val(r.login.stayssh)?.summary;
  const reS = val(r.reattach.stayssh);
  const reA = val(r.reattach.autossh);
  const rt = (ms: number | undefined) => (ms === undefined ? NA : fmtNum(ms / r.rttMs, 1));
  const mosh = r.login.mosh;
  const rows = [
    row('`host true` (vs ssh)', val(r.hostTrue.stayssh), val(r.hostTrue.ssh)),
    row('login to prompt (vs `ssh -t`)', loginS, val(r.login.ssh)?.summary),
    row('login to prompt (vs `ssh -t` + tmux)', loginS, val(r.login.sshTmux)?.summary),
    row('login to prompt (vs mosh)', loginS, mosh.ok ? mosh.value.summary : undefined),
    row('reattach after a reset (vs autossh+ssh+tmux)', reS?.summary, reA?.summary),
    [`reattach, in round trips (median ÷ ${r.rttMs} ms)`, rt(reS?.summary.median), rt(reA?.summary.median), ratio(reS?.summary.median, reA?.summary.median)],
  ];
  const n = val(r.hostTrue.stayssh)?.n ?? 0;
  const loginPoll = val(r.login.stayssh)?.pollMs.median ?? NaN;
  const notes = [
    `client → delay proxy (bench/delay-proxy.ts, a process of its own: every chunk held ${r.oneWayMs} ms each way, in order; a connection reaches the server after 1.5 round trips, as a TCP handshake does; a reset passed on as a reset; no bandwidth limit, no loss) → fault proxy → sshd.`,
    r.linkCheckMs.ok
      ? `link check: ${r.linkCheckMs.value.n} UDP echoes through the delay proxy took ${fmtMs(r.linkCheckMs.value.median)} ms (median; p90 ${fmtMs(r.linkCheckMs.value.p90)}, max ${fmtMs(r.linkCheckMs.value.max)}) for a ${r.rttMs} ms round trip.`
      : `link check: n/a (${why(r.linkCheckMs) ?? ''})`,
    `${n} runs per client for \`host true\` and for the login, ${r.resets} resets per client; clients taking turns run by run. Columns: stayssh, then the client named in the row.`,
    `login: from Enter in a pane whose shell then execs the client, to the first screen capture showing the prompt (median capture period ${fmtMs(loginPoll)} ms); \`ssh -t\` + tmux runs \`tmux new\`, as stayssh's login includes tmux; each login then typed \`exit\`.`,
  ];
  if (mosh.ok || !('skipped' in mosh)) {
    notes.push(
      'mosh: its ssh leg through the delay proxy; mosh-server pinned to a UDP port (--port) and mosh-client pointed, by a --client wrapper, at the delay proxy\'s UDP relay to it: its datagrams held as long each way as the TCP bytes.',
    );
  }
  if (reS) {
    const p = reS.phases;
    const ph = (label: string, m: Summary) => `${label} ${fmtMs(m.median)} (${rt(m.median)} RTT)`;
    notes.push(
      `reattach: from the fault proxy's reset of every link (at the server's end of the slow link) until a newer ticker line is on screen. stayssh phases (median, ms, from --events): ${[ph('notice', p.detect), ph('dial+auth', p.dialAuth), ph('exec+tmux attach', p.attach), ph('redraw+poll', p.redraw)].join(' · ')}.`,
    );
  }
  const parts: [string, Figure<unknown>][] = [
    ['host true, stayssh', r.hostTrue.stayssh],
    ['host true, ssh', r.hostTrue.ssh],
    ['login, stayssh', r.login.stayssh],
    ['login, ssh -t', r.login.ssh],
    ['login, ssh -t + tmux', r.login.sshTmux],
    ['login, mosh', mosh],
    ['reattach, stayssh', r.reattach.stayssh],
    ['reattach, autossh', r.reattach.autossh],
  ];
  for (const [name, f] of parts) if (!f.ok) notes.push(`${name}: n/a (${why(f) ?? ''})`);
  return { title, headers: ['', 'stayssh', 'other', 'ratio'], rows, notes };
}

function machineLine(r: BenchResults): string {
  const m = r.machine;
  const short = (v: string) => v.split(',')[0] ?? v;
  const openssh = short(m.ssh).startsWith(short(m.sshd)) ? `${short(m.ssh)} (ssh, sshd)` : `ssh ${short(m.ssh)}, sshd ${short(m.sshd)}`;
  return `${m.cores} cores ${m.cpuModel}, ${m.memoryGiB} GiB, Linux ${m.kernel}; node ${m.node}; ${openssh}; ${m.tmux}; ${m.autossh}; ${short(m.mosh).replace(/ \[.*$/, '')}; 1-min load ${m.loadAtStart} at start, ${r.loadAtEnd} at end`;
}

export function tables(r: BenchResults): Table[] {
  return [
    reattachTable(r.reattach),
    deadLinkTable(r.deadLink),
    roamingTable(r.roaming),
    echoTable(r.echo),
    throughputTable(r.throughput),
    startupTable(r.startup),
    slowLinkTable(r.slowLink),
  ];
}

/** The Markdown block for docs/BENCHMARKS.md (between its bench:begin and bench:end markers). */
export function markdownReport(r: BenchResults): string {
  const ts = tables(r);
  return [
    `Measured with \`npm run bench\` on ${r.startedAt.slice(0, 10)}: ${machineLine(r)}. One real sshd on 127.0.0.1, faults from a TCP proxy in front of it; table 7 adds a 50 ms round trip in front of that.`,
    '',
    ...ts.map((t) => `${renderMarkdown(t)}\n`),
  ].join('\n');
}

export function renderReport(r: BenchResults): string {
  const ts = tables(r);
  const text = [`stayssh bench, ${r.startedAt}, ${r.durationS.toFixed(0)} s`, `machine: ${machineLine(r)}`, '', ...ts.map((t) => `${renderText(t)}\n`)].join('\n');
  return `${text}\n`;
}
