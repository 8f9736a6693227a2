import { StaysshError } from '../errors.js';
import { LexError, splitArgs, splitKeyword } from './config-lexer.js';
import { canonicalKeyword } from './keywords.js';
import { COMMAND_LINE } from './origin.js';

/** Keywords that only make sense inside a file; OpenSSH refuses them after -o too. */
const FILE_ONLY = new Set(['Host', 'Match', 'Include']);

/**
 * One `-o` argument (`Key=Value`, `Key Value`, `Key = Value`, quoted values) as
 * [canonical keyword, raw value]. The value keeps config-file syntax (quotes, several
 * arguments) and is interpreted by resolveSshConfig like a config line.
 */
export function parseOptionArg(arg: string): [keyword: string, value: string] {
  const fail = (why: string): never => {
    throw new StaysshError(`${COMMAND_LINE} line 0: -o ${JSON.stringify(arg)}: ${why}`);
  };
  const split = splitKeyword(arg);
  if (split === null || split.keyword === '') return fail('missing keyword');
  const keyword = canonicalKeyword(split.keyword);
  if (keyword === undefined) return fail(`unknown option "${split.keyword}"`);
  if (FILE_ONLY.has(keyword)) return fail(`${keyword} is not supported as a command-line option`);
  if (split.rest === '') return fail(`no argument after keyword "${split.keyword}"`);
  try {
    if (splitArgs(split.rest).length === 0) return fail(`no argument after keyword "${split.keyword}"`);
  } catch (err) {
    if (err instanceof LexError) return fail('unterminated quote');
    throw err;
  }
  return [keyword, split.rest];
}
