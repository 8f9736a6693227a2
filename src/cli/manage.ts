/**
 * `--list` and `--kill` (docs/BEHAVIOUR.md §1): non-pty execs of the shim and the stream
 * script, reading their answers. The table's formatting is pure (formatSessionTable).
 */
import type { Connection } from '../transport/connection.js';
import { killCommand, listCommand, pruneCommand } from '../remote/shim.js';
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

/** One entry of `--list --json`; the fields are documented in docs/BEHAVIOUR.md §1. */
export interface SessionInfo {
  name: string;
  /** The destination as given on the command line (an alias stays an alias). */
  host: string;
  state: 'attached' | 'detached';
  /** ISO 8601 in UTC. */
  created: string;
  /** The same moment in seconds since the epoch, by the server's clock. */
  createdEpoch: number;
  /** '' for a login shell. */
  command: string;
  mux: 'tmux' | 'screen' | 'stream';
}

export async function listSessions(conn: Connection, host: string): Promise<SessionInfo[]> {
  const [reports, streams] = await Promise.all([runShim(conn, listCommand()), streamListEntries(conn)]);
  const entries: Array<Omit<SessionInfo, 'host' | 'created' | 'createdEpoch'> & { created: number }> = [...streams];
  for (const r of reports) {
    if (r.t === 'session') entries.push({ name: r.name, state: r.state, created: r.created, command: r.command, mux: r.mux });
  }
  return entries
    .map((e) => ({ name: e.name, host, state: e.state, created: new Date(e.created * 1000).toISOString(), createdEpoch: e.created, command: e.command, mux: e.mux }))
    .sort((a, b) => a.createdEpoch - b.createdEpoch || a.name.localeCompare(b.name));
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `2025-01-14 17:26`, in the local time zone. */
export function formatLocalTime(date: Date): string {
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
}

/** `just now`, `5m ago`, `2h ago`, `3d ago`: the largest whole unit, rounded down. */
export function formatAge(seconds: number): string {
  if (seconds < 60) return 'just now';
  if (seconds < 3_600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3_600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/** The `--list` table: NAME STATE CREATED (local time and age) HOST COMMAND. */
export function formatSessionTable(sessions: readonly SessionInfo[], now: Date): string {
  const created = (s: SessionInfo): string =>
    `${formatLocalTime(new Date(s.createdEpoch * 1000))} (${formatAge(Math.floor(now.getTime() / 1000) - s.createdEpoch)})`;
  const rows = [
    ['NAME', 'STATE', 'CREATED', 'HOST', 'COMMAND'],
    ...sessions.map((s) => [s.name, s.state, created(s), s.host, s.command || '(login shell)']),
  ];
  const last = 4;
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i < last ? cell.padEnd(widths[i] ?? 0) : cell)).join('  ')).join('\n');
}

/** Returns false when there was no such session. */
export async function killSession(conn: Connection, name: string): Promise<boolean> {
  // Stream sessions first: the multiplexer shim treats a state dir it does not own as stale.
  if (await killStream(conn, name)) return true;
  const reports = await runShim(conn, killCommand(name));
  return reports.some((r) => r.t === 'killed');
}

/**
 * `--kill --detached [--older-than AGE]`: ends every session no client is attached to
 * that was created more than `olderThanSeconds` ago, tmux, screen and stream alike. The
 * server looks at each one again just before ending it, so one attached meanwhile stays.
 * Returns the names ended.
 */
export async function pruneSessions(conn: Connection, olderThanSeconds: number): Promise<string[]> {
  const [reports, streams] = await Promise.all([runShim(conn, pruneCommand(olderThanSeconds)), streamListEntries(conn)]);
  const ended = reports.flatMap((r) => (r.t === 'killed' ? [r.name] : []));
  const detached = streams.filter((s) => s.state === 'detached');
  if (detached.length === 0) return ended;
  // Their age by the server's clock, as the shim judges the others.
  const serverNow = await serverTime(conn);
  for (const s of detached) {
    if (serverNow - s.created > olderThanSeconds && (await killStream(conn, s.name, true))) ended.push(s.name);
  }
  return ended;
}

/** The server's clock, epoch seconds: one short exec. */
async function serverTime(conn: Connection): Promise<number> {
  const channel = await conn.exec('exec date +%s');
  let out = '';
  channel.on('data', (d: Buffer) => (out += d.toString('utf8')));
  channel.stderr.resume();
  await new Promise<void>((resolve) => channel.on('close', () => resolve()));
  const seconds = Number(out.trim());
  if (!Number.isInteger(seconds)) throw new StaysshError('remote: cannot read the server\'s clock (date +%s)');
  return seconds;
}
