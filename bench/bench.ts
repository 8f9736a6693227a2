// `npm run bench`: stayssh side by side with OpenSSH (and autossh) against one real sshd,
// in one run. Prints a table per figure, writes .bench/results.json and (for a full run)
// rewrites the report block of docs/BENCHMARKS.md; exits 1 if any figure could not be measured.
// `node dist/bench/bench.js --only reattach,echo` runs a subset (names below).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine } from './machine.js';
import { attempt, type Outcome } from './outcome.js';
import { measureDeadLink } from './dead-link.js';
import { measureEcho } from './echo-latency.js';
import { measureReattach } from './reattach.js';
import { measureRoaming } from './roaming.js';
import { measureSlowLink } from './slow-link.js';
import { measureStartup } from './startup.js';
import { measureThroughput } from './throughput.js';
import { markdownReport, renderReport, type BenchResults, type Figure } from './report.js';
import { Rig } from './rig.js';

/**
 * The whole bench was meant to take ~4 minutes, and slowlink adds ~75 s to that (~115 s
 * at load 7 on two cores); a figure stuck past this is cut, ms.
 */
const FIGURE_BUDGET_MS = 150_000;
const FIGURES = ['reattach', 'deadlink', 'echo', 'throughput', 'startup', 'roaming', 'slowlink'] as const;
type FigureName = (typeof FIGURES)[number];

/** The repository root (dist/bench/bench.js -> ../..). */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function selected(argv: string[]): Set<FigureName> {
  const i = argv.indexOf('--only');
  if (i < 0) return new Set(FIGURES);
  const names = (argv[i + 1] ?? '').split(',').filter(Boolean);
  const bad = names.filter((n) => !(FIGURES as readonly string[]).includes(n));
  if (bad.length || names.length === 0) throw new Error(`--only takes a comma-separated list of: ${FIGURES.join(', ')}`);
  return new Set(names as FigureName[]);
}

/** Runs one figure within the budget; progress goes to stderr. */
async function figure<T>(name: FigureName, want: Set<FigureName>, fn: () => Promise<T>): Promise<Figure<T>> {
  if (!want.has(name)) return { ok: false, skipped: true, error: 'skipped (--only)' };
  const started = Date.now();
  process.stderr.write(`bench: ${name}...\n`);
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name}: over its ${FIGURE_BUDGET_MS / 1000} s budget`)), FIGURE_BUDGET_MS);
  });
  const out: Outcome<T> = await attempt(() => Promise.race([fn(), budget]));
  clearTimeout(timer);
  process.stderr.write(`bench: ${name} ${out.ok ? 'done' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return out;
}

/** Sub-results that failed inside a figure that as a whole succeeded (one client of two). */
function innerFailures(r: BenchResults): string[] {
  const out: string[] = [];
  const walk = (path: string, v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    const o = v as { ok?: unknown; error?: unknown; skipped?: unknown };
    if (o.ok === false && typeof o.error === 'string') {
      if (!o.skipped) out.push(`${path}: ${o.error}`);
      return;
    }
    for (const [k, child] of Object.entries(v)) walk(path ? `${path}.${k}` : k, child);
  };
  for (const key of ['reattach', 'deadLink', 'roaming', 'echo', 'throughput', 'startup', 'slowLink'] as const) walk(key, r[key]);
  return out;
}

/** Replaces the block between the markers of docs/BENCHMARKS.md; the notes around it stay. */
function writeBenchmarksDoc(r: BenchResults): string {
  const path = join(ROOT, 'docs', 'BENCHMARKS.md');
  const doc = readFileSync(path, 'utf8');
  const begin = '<!-- bench:begin -->';
  const end = '<!-- bench:end -->';
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`${path}: no ${begin} ... ${end} block to rewrite`);
  writeFileSync(path, `${doc.slice(0, i + begin.length)}\n${markdownReport(r)}\n${doc.slice(j)}`);
  return path;
}

async function main(): Promise<number> {
  const want = selected(process.argv.slice(2));
  const startedMs = Date.now();
  const machine = await describeMachine();
  const rig = await Rig.start();
  let results: BenchResults;
  const onSignal = () => void rig.close().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const reattach = await figure('reattach', want, () => measureReattach(rig));
    const deadLink = await figure('deadlink', want, () => measureDeadLink(rig));
    const echo = await figure('echo', want, () => measureEcho(rig));
    const throughput = await figure('throughput', want, () => measureThroughput(rig));
    const startup = await figure('startup', want, () => measureStartup(rig));
    const roaming = await figure('roaming', want, () => measureRoaming(rig));
    const slowLink = await figure('slowlink', want, () => measureSlowLink(rig));
    results = {
      startedAt: new Date(startedMs).toISOString(),
      durationS: (Date.now() - startedMs) / 1000,
      machine,
      loadAtEnd: Math.round((loadavg()[0] ?? 0) * 100) / 100,
      reattach,
      deadLink,
      roaming,
      echo,
      throughput,
      startup,
      slowLink,
    };
  } finally {
    await rig.close();
  }
  process.stdout.write(renderReport(results));
  const dir = join(ROOT, '.bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\nresults: ${join(dir, 'results.json')}\n`);
  if (want.size === FIGURES.length) process.stdout.write(`report: ${writeBenchmarksDoc(results)}\n`);
  const failures = innerFailures(results);
  if (failures.length > 0) {
    process.stderr.write(`\nbench: ${failures.length} measurement(s) failed:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
