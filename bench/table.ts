// One table model, two renderings: aligned plain text for the terminal, Markdown for the
// README.

export interface Table {
  title: string;
  headers: string[];
  rows: string[][];
  /** Lines printed under the table (method, granularity, caveats). */
  notes: string[];
}

export function renderText(t: Table): string {
  const all = [t.headers, ...t.rows];
  const widths = t.headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [t.title, line(t.headers), rule, ...t.rows.map(line), ...t.notes.map((n) => `  ${n}`)].join('\n');
}

export function renderMarkdown(t: Table): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  const row = (r: string[]) => `| ${r.map(esc).join(' | ')} |`;
  const align = `|${t.headers.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`;
  const notes = t.notes.length ? ['', ...t.notes.map((n) => `<sub>${n}</sub><br>`)] : [];
  return [`**${t.title}**`, '', row(t.headers), align, ...t.rows.map(row), ...notes].join('\n');
}

/** ms with sensible precision: 1234 -> "1234", 12.34 -> "12.3", 1.234 -> "1.23". */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (Math.abs(ms) >= 100) return ms.toFixed(0);
  if (Math.abs(ms) >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}

export function fmtS(ms: number): string {
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a';
}

export function fmtNum(v: number, digits = 0): string {
  return Number.isFinite(v) ? v.toFixed(digits) : 'n/a';
}

/** a / b as "1.23×"; n/a when either is missing. */
export function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return 'n/a';
  return `${(a / b).toFixed(2)}×`;
}
