import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { ConfigError } from '../errors.js';
import { LexError, splitArgs, splitKeyword } from './config-lexer.js';
import { globPaths } from './glob.js';
import { canonicalKeyword } from './keywords.js';
import { evaluateMatch, type MatchSubject } from './match-criteria.js';
import { configError, type Origin } from './origin.js';
import { matchesList, hostLineMatches } from './patterns.js';
import type { SshOptionStore } from './ssh-options.js';
import { expandTilde } from './tokens.js';

/** OpenSSH's READCONF_MAX_DEPTH: nested Includes deeper than this are an error. */
export const MAX_INCLUDE_DEPTH = 16;

export interface ReaderContext {
  store: SshOptionStore;
  /** The host as typed: `Host` lines match it. */
  typedHost: string;
  homeDir: string;
  localUser: string;
  /** 'user' files may use `~` in Include and resolve relative ones in ~/.ssh. */
  kind: 'user' | 'system';
  /** Where relative Include paths of a system file live (normally /etc/ssh). */
  systemDir: string;
  /** The Match subject as of now (depends on options already obtained). */
  matchSubject(): MatchSubject;
}

interface BlockState {
  active: boolean;
}

/** Why a file could not be read, in words (errno codes are not for users). */
export function readFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return (err as Error).message;
}

/**
 * Reads one top-level config file into the store. A missing file is fine unless
 * `required` (a -F file); any other read failure is an error.
 */
export function readConfigFile(path: string, ctx: ReaderContext, required: boolean): void {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new ConfigError(path, 0, `cannot read config file: ${readFailure(err)}`);
  }
  processContent(path, content, ctx, { active: true }, false, 0);
}

function processContent(
  file: string, content: string, ctx: ReaderContext, state: BlockState, neverMatch: boolean, depth: number,
): void {
  const lines = content.split('\n');
  for (let i = 0; i < lines.length; i++) {
    processLine(lines[i] ?? '', { file, line: i + 1 }, ctx, state, neverMatch, depth);
  }
}

function processLine(
  text: string, origin: Origin, ctx: ReaderContext, state: BlockState, neverMatch: boolean, depth: number,
): void {
  const split = splitKeyword(text);
  if (split === null) return;
  if (split.rest === '') throw configError(origin, `no argument after keyword "${split.keyword}"`);
  const keyword = canonicalKeyword(split.keyword);
  if (keyword === undefined) {
    const ignore = ctx.store.get<string>('IgnoreUnknown')?.value;
    if (ignore !== undefined && matchesList(split.keyword.toLowerCase(), ignore, true)) return;
    throw configError(origin, `unknown configuration keyword "${split.keyword}"`);
  }
  let args: string[];
  try {
    args = splitArgs(split.rest);
  } catch (err) {
    if (err instanceof LexError) throw configError(origin, 'unterminated quote');
    throw err;
  }
  if (args.length === 0) throw configError(origin, `no argument after keyword "${split.keyword}"`);
  switch (keyword) {
    case 'Host':
      if (args.some((a) => a === '' || a === '!')) throw configError(origin, 'keyword Host empty argument');
      state.active = !neverMatch && hostLineMatches(ctx.typedHost, args);
      return;
    case 'Match': {
      const outcome = evaluateMatch(args, ctx.matchSubject(), origin);
      state.active = !neverMatch && outcome.matches;
      for (const what of outcome.unevaluated) ctx.store.noteIgnored(what);
      return;
    }
    case 'Include':
      includeFiles(args, origin, ctx, state, neverMatch, depth);
      return;
    default:
      ctx.store.apply(keyword, args, split.rest, origin, state.active);
  }
}

/**
 * Include: globs, `~` (user files only), relative paths under ~/.ssh (user) or the system
 * directory. An Include inside an inactive block is still read, so its errors show, but
 * nothing in it can become active; a Match inside it does not change the including block.
 */
function includeFiles(
  args: string[], origin: Origin, ctx: ReaderContext, state: BlockState, neverMatch: boolean, depth: number,
): void {
  if (depth + 1 > MAX_INCLUDE_DEPTH) {
    throw configError(origin, `too many recursive configuration includes (more than ${MAX_INCLUDE_DEPTH} levels)`);
  }
  for (const arg of args) {
    if (arg === '') throw configError(origin, 'keyword Include empty argument');
    if (arg.startsWith('~') && ctx.kind !== 'user') throw configError(origin, `bad include path ${arg}`);
    let pattern = arg.startsWith('~') ? expandTilde(arg, ctx.homeDir, ctx.localUser) : arg;
    if (!isAbsolute(pattern)) {
      pattern = ctx.kind === 'user' ? join(ctx.homeDir, '.ssh', pattern) : join(ctx.systemDir, pattern);
    }
    const outerActive = state.active;
    for (const path of globPaths(pattern)) {
      let content: string;
      try {
        content = readFileSync(path, 'utf8');
      } catch (err) {
        throw configError(origin, `cannot read included file ${path}: ${readFailure(err)}`);
      }
      processContent(path, content, ctx, state, neverMatch || !outerActive, depth + 1);
      state.active = outerActive;
    }
  }
}

/** The directory relative system Includes resolve against: the system file's own. */
export function systemDirOf(systemConfigPath: string | null): string {
  return systemConfigPath === null ? '/etc/ssh' : dirname(systemConfigPath);
}
