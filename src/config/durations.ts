import { StaysshError } from '../errors.js';

/** Milliseconds per unit of a duration; `ms` must be tried before `m`. */
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A duration in milliseconds: `500ms`, `90s`, `10m`, `2h`, `1d`, `2w`, combined as `1h30m`;
 * a bare number is seconds (like ssh's time values). Units are case-insensitive.
 */
export function parseDuration(text: string): number {
  const s = text.trim().toLowerCase();
  const fail = (): never => {
    throw new StaysshError(`invalid duration "${text}": use e.g. 90s, 10m, 2h or 1h30m`);
  };
  if (s === '') return fail();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
    consumed = re.lastIndex;
  }
  if (consumed !== s.length || !Number.isFinite(total)) return fail();
  return Math.round(total);
}
