// Reading stayssh's `--events FILE` (one JSON object per line, docs/BEHAVIOUR.md §5) to split a
// reattach into its phases. Timestamps are ISO-8601 with millisecond resolution.
import { existsSync, readFileSync } from 'node:fs';

export interface EventLine {
  event: string;
  /** ms since the epoch. */
  atMs: number;
  attempt?: number;
  reason?: string;
  downtimeMs?: number;
}

export function readEvents(path: string): EventLine[] {
  if (!existsSync(path)) return [];
  const out: EventLine[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const raw = JSON.parse(line) as { ts?: string; event?: string; attempt?: number; reason?: string; downtimeMs?: number };
      if (typeof raw.ts !== 'string' || typeof raw.event !== 'string') continue;
      out.push({ event: raw.event, atMs: Date.parse(raw.ts), attempt: raw.attempt, reason: raw.reason, downtimeMs: raw.downtimeMs });
    } catch {
      // A line being appended right now: read again later.
    }
  }
  return out;
}

/** The first `event` at or after `sinceMs`, or undefined. */
export function firstEventAfter(events: readonly EventLine[], event: string, sinceMs: number): EventLine | undefined {
  return events.find((e) => e.event === event && e.atMs >= sinceMs);
}
