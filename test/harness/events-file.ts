// What stayssh left for scripts: the `--events` file (one JSON object per line) and the
// STAYSSH_* variables a hook dumped with `env`.
import { existsSync, readFileSync } from 'node:fs';
import type { SessionEvent } from '../../src/contracts/events.js';

/** The events written so far ([] before the file exists). */
export function readEvents(path: string): SessionEvent[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as SessionEvent);
}

/** KEY=VALUE lines of a hook's `env` dump, STAYSSH_* only. */
export function hookEnv(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^(STAYSSH_[A-Z_]+)=(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2];
  }
  return out;
}
