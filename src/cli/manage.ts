/** `--list` and `--kill`: one non-pty exec each, reading the shim's reports. */
import type { Connection } from '../transport/connection.js';
import { killCommand, listCommand } from '../remote/shim.js';
import { parseReportOutput } from '../remote/report-filter.js';
import type { ShimReport } from '../remote/types.js';
import { killStream, streamListEntries } from '../stream/stream-manage.js';
import { StaysshError } from '../errors.js';

async function runShim(conn: Connection, command: string): Promise<ShimReport[]> {
  const channel = await conn.exec(command);
  let out = '';
  let err = '';
  channel.on('data', (d: Buffer) => (out += d.toString('utf8')));
  channel.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
  await new Promise<void>((resolve) => channel.on('close', () => resolve()));
  const { reports } = parseReportOutput(out);
  for (const r of reports) {
    // No multiplexer is not an error for --list: stream sessions need none.
    if (r.t === 'error' && r.code !== 'no-session' && r.code !== 'no-mux') throw new StaysshError(r.message);
  }
  if (!reports.length && err.trim()) throw new StaysshError(`remote: ${err.trim().split('\n')[0]}`);
  return reports;
}

export interface SessionInfo {
  name: string;
  state: 'attached' | 'detached';
  created: string;
  command: string;
  mux: string;
}

export async function listSessions(conn: Connection): Promise<SessionInfo[]> {
  const [reports, streams] = await Promise.all([runShim(conn, listCommand()), streamListEntries(conn)]);
  const sessions: SessionInfo[] = [...streams];
  for (const r of reports) {
    if (r.t !== 'session') continue;
    sessions.push({ name: r.name, state: r.state, created: new Date(r.created * 1000).toISOString(), command: r.command, mux: r.mux });
  }
  return sessions.sort((a, b) => a.created.localeCompare(b.created));
}

export function formatSessionTable(sessions: SessionInfo[]): string {
  const rows = [['NAME', 'STATE', 'CREATED', 'COMMAND'], ...sessions.map((s) => [s.name, s.state, s.created, s.command || '(login shell)'])];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell)).join('  ')).join('\n');
}

/** Returns false when there was no such session. */
export async function killSession(conn: Connection, name: string): Promise<boolean> {
  // Stream sessions first: the multiplexer shim treats a state dir it does not own as stale.
  if (await killStream(conn, name)) return true;
  const reports = await runShim(conn, killCommand(name));
  return reports.some((r) => r.t === 'killed');
}
