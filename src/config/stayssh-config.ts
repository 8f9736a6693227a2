import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ConfigError, StaysshError } from '../errors.js';
import { LexError, splitArgs, splitKeyword } from './config-lexer.js';
import { readFailure } from './config-reader.js';
import { parseDuration } from './durations.js';
import { ValueError, parseChoice, parseFlag } from './option-values.js';
import { hostLineMatches } from './patterns.js';
import { validateSessionName } from '../contracts/session-name.js';

export { SESSION_NAME_RE, validateSessionName } from '../contracts/session-name.js';
import { expandTilde } from './tokens.js';

/** stayssh's own per-host settings (docs/BEHAVIOUR.md §6); absent fields were not set. Durations in ms. */
export interface StaysshFileOptions {
  session?: string;
  mux?: 'auto' | 'tmux' | 'screen';
  maxAttempts?: number;
  giveUpAfterMs?: number;
  backoffMaxMs?: number;
  onDisconnect?: string;
  onReconnect?: string;
  onGiveUp?: string;
  events?: string;
  remember?: boolean;
  /** SessionIdleExpiry: detached sessions unused longer than this are ended at a run's first attach. */
  sessionIdleExpiryMs?: number;
}

type Field = keyof StaysshFileOptions;

interface KeyDef {
  field: Field;
  /** Hook commands take the rest of the line verbatim (like ProxyCommand); the rest one word. */
  parse: (args: string[], rest: string, keyword: string, homeDir: string) => StaysshFileOptions[Field];
}

function one(args: string[], keyword: string): string {
  if (args.length !== 1 || args[0] === '') throw new ValueError(`${keyword} takes exactly one value`);
  return args[0] as string;
}

function duration(args: string[], keyword: string): number {
  try {
    const ms = parseDuration(one(args, keyword));
    if (ms <= 0) throw new ValueError(`${keyword} must be longer than 0`);
    return ms;
  } catch (err) {
    if (err instanceof StaysshError) throw new ValueError(err.message);
    throw err;
  }
}

const KEYS: Readonly<Record<string, KeyDef>> = {
  session: {
    field: 'session',
    parse: (args, _rest, keyword) => {
      const name = one(args, keyword);
      try {
        validateSessionName(name);
      } catch (err) {
        throw new ValueError((err as Error).message);
      }
      return name;
    },
  },
  mux: { field: 'mux', parse: (args, _r, k) => parseChoice(k, one(args, k), { auto: 'auto', tmux: 'tmux', screen: 'screen' } as const) },
  maxattempts: {
    field: 'maxAttempts',
    parse: (args, _r, k) => {
      const v = one(args, k);
      if (!/^\d{1,9}$/.test(v) || Number(v) < 1) throw new ValueError(`invalid ${k} "${v}" (expected a whole number, at least 1)`);
      return Number(v);
    },
  },
  giveupafter: { field: 'giveUpAfterMs', parse: (args, _r, k) => duration(args, k) },
  backoffmax: { field: 'backoffMaxMs', parse: (args, _r, k) => duration(args, k) },
  ondisconnect: { field: 'onDisconnect', parse: (_a, rest) => rest },
  onreconnect: { field: 'onReconnect', parse: (_a, rest) => rest },
  ongiveup: { field: 'onGiveUp', parse: (_a, rest) => rest },
  events: { field: 'events', parse: (args, _r, k, home) => expandTilde(one(args, k), home, '') },
  remember: { field: 'remember', parse: (args, _r, k) => parseFlag(k, one(args, k)) },
  sessionidleexpiry: {
    field: 'sessionIdleExpiryMs',
    parse: (args, _r, k) => {
      const ms = duration(args, k);
      // The shim counts whole seconds; less than one would be none at all.
      if (ms < 1000) throw new ValueError(`${k} must be at least 1s`);
      return ms;
    },
  },
};

/** `$XDG_CONFIG_HOME/stayssh/config`, or ~/.config/stayssh/config (XDG: only an absolute value counts). */
export function staysshConfigPath(env: Readonly<Record<string, string | undefined>>, homeDir: string): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(homeDir, '.config');
  return join(base, 'stayssh', 'config');
}

/**
 * Reads stayssh's config file for `host` (as typed): ssh_config syntax, `Host` blocks
 * matched like ssh's, first value wins. A missing file gives {}; any other fault is a
 * ConfigError with file:line.
 */
export function loadStaysshConfig(host: string, path: string, homeDir: string): StaysshFileOptions {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(path, 0, `cannot read config file: ${readFailure(err)}`);
  }
  // Its hooks run under /bin/sh: a file others can change is theirs to run code with.
  if ((statSync(path).mode & 0o022) !== 0) {
    throw new ConfigError(path, 0, `bad permissions: writable by group or others, and its hooks run in a shell (chmod go-w ${path})`);
  }
  const result: StaysshFileOptions = {};
  let active = true;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const fail = (message: string): never => {
      throw new ConfigError(path, i + 1, message);
    };
    const split = splitKeyword(lines[i] ?? '');
    if (split === null) continue;
    if (split.rest === '') fail(`no argument after keyword "${split.keyword}"`);
    let args: string[] = [];
    try {
      args = splitArgs(split.rest);
    } catch (err) {
      if (err instanceof LexError) fail('unterminated quote');
      throw err;
    }
    const keyword = split.keyword.toLowerCase();
    if (keyword === 'host') {
      active = hostLineMatches(host, args);
      continue;
    }
    if (keyword === 'match') fail('Match is not supported in the stayssh config file: use Host');
    const def = KEYS[keyword];
    if (def === undefined) fail(`unknown keyword "${split.keyword}"`);
    try {
      const value = (def as KeyDef).parse(args, split.rest, split.keyword, homeDir);
      if (active && result[(def as KeyDef).field] === undefined) {
        (result as Record<Field, unknown>)[(def as KeyDef).field] = value;
      }
    } catch (err) {
      if (err instanceof ValueError) fail(err.message);
      throw err;
    }
  }
  return result;
}
