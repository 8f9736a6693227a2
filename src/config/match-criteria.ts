import { configError, type Origin } from './origin.js';
import { matchesList } from './patterns.js';

/** What a `Match` line is evaluated against, as known at that point of parsing. */
export interface MatchSubject {
  /** HostName obtained so far (with %h expanded), else the typed host. */
  host: string;
  /** The host as typed on the command line. */
  originalHost: string;
  /** User obtained so far (command line, earlier config), else the local user. */
  user: string;
  localUser: string;
  /** Tag obtained so far, '' when none. */
  tag: string;
}

/** How a Match line came out; `unevaluated` names criteria that were not run (for -v). */
export interface MatchOutcome {
  matches: boolean;
  unevaluated: string[];
}

/**
 * Evaluates the criteria of a `Match` line (readconf.c match_cfg_line), all of which must
 * hold, `!` negating one criterion. Deliberate differences, all towards "not matching":
 * - `exec` never runs a command: a line with an `exec` criterion (negated or not) is an
 *   error naming its file and line, so no shell is ever started by reading a config file
 *   and no block vanishes without a word.
 * - `localnetwork` is not evaluated either: such a line does not match.
 * - `canonical` and `final` are false (stayssh does no hostname canonicalisation and no
 *   final pass), so `!canonical` / `!final` are true, as on OpenSSH's first pass.
 */
export function evaluateMatch(args: readonly string[], subject: MatchSubject, origin: Origin): MatchOutcome {
  let result = true;
  let attributes = 0;
  const unevaluated: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const raw = args[i] as string;
    const negate = raw.startsWith('!');
    const attribute = (negate ? raw.slice(1) : raw).toLowerCase();
    if (attribute === 'all') {
      if (attributes > 1 || i + 1 < args.length) {
        throw configError(origin, `'${raw}' cannot be combined with other Match attributes`);
      }
      if (result) result = !negate;
      break;
    }
    attributes++;
    if (attribute === 'canonical' || attribute === 'final') {
      if (negate === false) result = false;
      continue;
    }
    const arg = args[++i];
    if (arg === undefined || arg === '') throw configError(origin, `missing Match criteria for ${attribute}`);
    let hit: boolean;
    switch (attribute) {
      case 'host':
        hit = matchesList(subject.host, arg, true);
        break;
      case 'originalhost':
        hit = matchesList(subject.originalHost, arg, true);
        break;
      case 'user':
        hit = matchesList(subject.user, arg, false);
        break;
      case 'localuser':
        hit = matchesList(subject.localUser, arg, false);
        break;
      case 'tagged':
        hit = matchesList(subject.tag, arg, false);
        break;
      case 'exec':
        // OpenSSH would run the command; stayssh runs none while reading a config, and a
        // block that silently never applied could drop a StrictHostKeyChecking or a
        // ProxyJump without a word: refused, with file:line (docs/DECISIONS.md).
        throw configError(origin, 'Match exec is not supported: stayssh runs no command to read its configuration (use Match host, user or localuser)');
      case 'localnetwork':
        unevaluated.push(`Match ${attribute}`);
        result = false;
        continue;
      default:
        throw configError(origin, `unsupported Match attribute ${attribute}`);
    }
    if (hit === negate) result = false;
  }
  if (attributes === 0 && !args.some((a) => /^!?all$/i.test(a))) {
    throw configError(origin, 'one or more attributes required for Match');
  }
  return { matches: result, unevaluated };
}
