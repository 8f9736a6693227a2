/**
 * Line-level syntax of ssh_config, as OpenSSH's readconf.c reads it: a keyword, then
 * whitespace or one `=` (with optional whitespace around it), then arguments split like
 * argv_split(): double or single quotes group, backslash escapes quotes, backslash and
 * space, and an unquoted `#` at the start of an argument ends the line.
 */

export interface SplitLine {
  keyword: string;
  /** Everything after the keyword and its separator, untouched (ProxyCommand keeps it raw). */
  rest: string;
}

/** Thrown for a quote left open; callers add file and line. */
export class LexError extends Error {}

const WHITESPACE = /[ \t\r\n\f]/;

/** Splits off the keyword; null for a blank or comment line. */
export function splitKeyword(line: string): SplitLine | null {
  const trimmed = line.replace(/^[ \t\r\n\f]+/, '').replace(/[ \t\r\n\f]+$/, '');
  if (trimmed === '' || trimmed.startsWith('#')) return null;
  let i = 0;
  while (i < trimmed.length && !WHITESPACE.test(trimmed[i] ?? '') && trimmed[i] !== '=') i++;
  const keyword = trimmed.slice(0, i);
  let j = i;
  while (j < trimmed.length && WHITESPACE.test(trimmed[j] ?? '')) j++;
  // Only one '=' may separate keyword and value ("Port = 22", "Port=22").
  if (trimmed[j] === '=') {
    j++;
    while (j < trimmed.length && WHITESPACE.test(trimmed[j] ?? '')) j++;
  }
  return { keyword, rest: trimmed.slice(j) };
}

/** Splits arguments the way OpenSSH's argv_split(s, ..., terminate_on_comment=1) does. */
export function splitArgs(s: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#') break;
    let arg = '';
    let quote = '';
    for (; i < s.length; i++) {
      const ch = s[i] as string;
      const next = s[i + 1];
      if (ch === '\\') {
        if (next === "'" || next === '"' || next === '\\' || (quote === '' && next === ' ')) {
          arg += next;
          i++;
        } else {
          arg += ch; // an unrecognised escape is kept literally, like OpenSSH
        }
      } else if (quote === '' && (ch === ' ' || ch === '\t')) {
        break;
      } else if (quote === '' && (ch === '"' || ch === "'")) {
        quote = ch;
      } else if (quote !== '' && ch === quote) {
        quote = '';
      } else {
        arg += ch;
      }
    }
    if (quote !== '') throw new LexError('invalid quotes');
    args.push(arg);
  }
  return args;
}

/**
 * Quotes one value so splitArgs() gives it back unchanged: for flags such as `-i PATH`
 * that the CLI turns into config pairs and whose value may hold spaces or quotes.
 */
export function quoteConfigArg(value: string): string {
  if (value !== '' && !/[\s"'\\#]/.test(value)) return value;
  return `"${value.replace(/[\\"]/g, (m) => `\\${m}`)}"`;
}
