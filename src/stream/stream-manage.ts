/**
 * `--list` and `--kill` for stream sessions (they live beside the multiplexer sessions in
 * `$S/sessions/`, marked `mux` = stream). One exec each.
 */
import type { Connection } from '../transport/connection.js';
import { runControl, streamKillCommand, streamListCommand } from './stream-commands.js';

/** A listing takes one exec of the script, ms: a few round trips and a shell start. */
const MANAGE_TIMEOUT_MS = 15_000;

export interface StreamListEntry {
  name: string;
  state: 'attached' | 'detached';
  /** Epoch seconds, as the server's clock had it. */
  created: number;
  command: string;
  mux: 'stream';
}

/** Parses the list op's lines: `NAME STATE CREATED COMMAND...`. */
export function parseStreamList(stdout: string): StreamListEntry[] {
  const entries: StreamListEntry[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^(\S+) (attached|detached) (\d+) ?(.*)$/.exec(line);
    if (!m) continue;
    entries.push({ name: m[1] ?? '', state: m[2] === 'attached' ? 'attached' : 'detached', created: Number(m[3]), command: (m[4] ?? '').trim(), mux: 'stream' });
  }
  return entries;
}

export async function streamListEntries(conn: Connection): Promise<StreamListEntry[]> {
  const r = await runControl(conn, streamListCommand(), MANAGE_TIMEOUT_MS);
  return parseStreamList(r.stdout);
}

/**
 * Ends stream session NAME (SIGTERM to the command, spools removed); false if there is
 * none, or (`detachedOnly`) a client is attached to it by the time the server looks.
 */
export async function killStream(conn: Connection, name: string, detachedOnly = false): Promise<boolean> {
  const r = await runControl(conn, streamKillCommand(name, detachedOnly), MANAGE_TIMEOUT_MS);
  return /^killed$/m.test(r.stdout);
}
