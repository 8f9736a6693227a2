/**
 * OpenSSH's match.c: `*` matches any run of characters, `?` exactly one, nothing else is
 * special. Pattern lists are comma-separated; a `!pattern` that matches vetoes the list.
 */

/** match_pattern(): the whole string against one wildcard pattern (case-sensitive). */
export function matchPattern(text: string, pattern: string): boolean {
  // Iterative glob with backtracking on the last '*': linear enough for host names.
  let t = 0;
  let p = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const pc = pattern[p];
    if (pc === '*') {
      starP = p++;
      starT = t;
    } else if (pc !== undefined && (pc === '?' || pc === text[t])) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Result of a pattern list: 'negated' when a `!pattern` matched (which overrides all). */
export type ListMatch = 'match' | 'negated' | 'none';

/**
 * match_pattern_list(): `text` against a comma-separated list. With `ignoreCase` both sides
 * are compared lower-case (OpenSSH lower-cases host patterns, and host names are DNS names).
 */
export function matchPatternList(text: string, list: string, ignoreCase: boolean): ListMatch {
  const subject = ignoreCase ? text.toLowerCase() : text;
  let positive = false;
  for (const raw of list.split(',')) {
    const negated = raw.startsWith('!');
    let pattern = negated ? raw.slice(1) : raw;
    if (ignoreCase) pattern = pattern.toLowerCase();
    if (!matchPattern(subject, pattern)) continue;
    if (negated) return 'negated';
    positive = true;
  }
  return positive ? 'match' : 'none';
}

/** True when a pattern list matches and no negation vetoes it. */
export function matchesList(text: string, list: string, ignoreCase: boolean): boolean {
  return matchPatternList(text, list, ignoreCase) === 'match';
}

/**
 * A `Host` line: each argument is one pattern (optionally `!negated`), matched against the
 * name as typed, case-sensitively like OpenSSH. Any negated match makes the line fail.
 */
export function hostLineMatches(host: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const arg of patterns) {
    const negated = arg.startsWith('!');
    if (!matchPattern(host, negated ? arg.slice(1) : arg)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}
