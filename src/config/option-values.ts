/**
 * Value syntax of ssh_config keywords (readconf.c's parse_flag, parse_int, parse_time,
 * multistate tables). Each parser throws ValueError with a reason; the caller adds file:line.
 */

export class ValueError extends Error {}

/** yes/no/true/false, case-insensitive (OpenSSH multistate_flag). */
export function parseFlag(keyword: string, value: string, extra: Readonly<Record<string, boolean>> = {}): boolean {
  const v = value.toLowerCase();
  if (v === 'yes' || v === 'true') return true;
  if (v === 'no' || v === 'false') return false;
  const other = extra[v];
  if (other !== undefined) return other;
  const choices = ['yes', 'no', ...Object.keys(extra)].join(', ');
  throw new ValueError(`invalid value "${value}" for ${keyword} (expected ${choices})`);
}

/** One of a fixed set of words (case-insensitive), mapped to its meaning. */
export function parseChoice<T extends string>(keyword: string, value: string, choices: Readonly<Record<string, T>>): T {
  const found = choices[value.toLowerCase()];
  if (found !== undefined) return found;
  throw new ValueError(`invalid value "${value}" for ${keyword} (expected ${Object.keys(choices).join(', ')})`);
}

/** A non-negative decimal integer. */
export function parseCount(keyword: string, value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new ValueError(`invalid number "${value}" for ${keyword}`);
  return Number(value);
}

/** A TCP port, 1-65535. */
export function parsePortValue(value: string): number {
  const n = /^\d{1,5}$/.test(value) ? Number(value) : 0;
  if (n < 1 || n > 65535) throw new ValueError(`bad port "${value}"`);
  return n;
}

const TIME_UNITS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** OpenSSH convtime(): `30`, `90s`, `1h30m`, units s m h d w (any case); result in seconds. */
export function parseTimeSeconds(keyword: string, value: string): number {
  const re = /(\d+)([smhdw]?)/giy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(value); m !== null; m = re.exec(value)) {
    total += Number(m[1]) * (TIME_UNITS[(m[2] ?? '').toLowerCase()] ?? 1);
    consumed = re.lastIndex;
    if (m[2] === '') break; // a bare number must be the last part
  }
  if (value === '' || consumed !== value.length || !Number.isSafeInteger(total)) {
    throw new ValueError(`invalid time value "${value}" for ${keyword}`);
  }
  return total;
}

/**
 * EscapeChar: one character, `^X` for a control character, or `none`. Returns the
 * character itself (e.g. '\x01' for ^A) or 'none'.
 */
export function parseEscapeChar(value: string): string {
  if (value.toLowerCase() === 'none') return 'none';
  if (value.length === 1) return value;
  // OpenSSH takes ^X for X in '@'..DEL-1 (codes 64-127), giving X & 31.
  if (value.length === 2 && value[0] === '^' && value.charCodeAt(1) >= 64 && value.charCodeAt(1) < 128) {
    return String.fromCharCode(value.charCodeAt(1) & 31);
  }
  throw new ValueError(`bad escape character "${value}" (use one character, ^X or none)`);
}

export const LOG_LEVELS: Readonly<Record<string, string>> = {
  quiet: 'QUIET', fatal: 'FATAL', error: 'ERROR', info: 'INFO', verbose: 'VERBOSE',
  debug: 'DEBUG', debug1: 'DEBUG1', debug2: 'DEBUG2', debug3: 'DEBUG3',
};
