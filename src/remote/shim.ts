/**
 * Exec command lines that run the shim on the server, one per operation. Each is read by
 * the user's login shell (sshd runs `$SHELL -c LINE`), so every word is single-quoted and
 * the line starts with `exec`: the login shell gets out of the way, and the shim is what
 * the pty's hang-up reaches when the link dies.
 *
 * Reports come back as frames in the channel's output (report-codec.ts); feed it to a
 * ReportFilter (pty) or parseReportOutput (list, kill, probe).
 */
import { StaysshError } from '../errors.js';
import { shJoin, shQuote } from './quote.js';
import { SHIM_SCRIPT } from './shim-script.js';
import { isValidSessionName, type MuxChoice } from './types.js';

export { SHIM_SCRIPT } from './shim-script.js';

/** Common to all builders. */
export interface ShimRunOptions {
  /**
   * The POSIX shell that interprets the shim (default `sh`). Tests run it under `dash`
   * and `bash`; a client never needs to change it.
   */
  interpreter?: string;
}

export interface AttachCommandOptions extends ShimRunOptions {
  name: string;
  mux: MuxChoice;
  /** Create the session if it is missing; false on reattach (a gone session is an answer). */
  create: boolean;
  /** The remote command (`-t cmd`), run as `$SHELL -c command`; absent: the login shell. */
  command?: string;
  /** Variables for a new session's environment, and for the attach client (locale). */
  env: Record<string, string>;
  /**
   * SessionIdleExpiry, in seconds: with `create`, the other detached sessions unused for
   * longer are ended first, in the same exec (docs/BEHAVIOUR.md §6). Absent or 0: none.
   */
  expireIdleSeconds?: number;
  /**
   * 'text' when the client's output is not a terminal: at the session's end under tmux,
   * its text (history and last screen) follows a `text` report. Default 'screen'.
   */
  view?: 'screen' | 'text';
}

const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Locale and colour variables of the local terminal that a session carries (docs/BEHAVIOUR.md §2). */
export function carriedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || v === '') continue;
    if (k === 'LANG' || k === 'COLORTERM' || /^LC_[A-Z_]+$/.test(k)) out[k] = v;
  }
  return out;
}

function checkName(name: string): void {
  if (!isValidSessionName(name)) {
    throw new StaysshError(`invalid session name '${name}' (allowed: [A-Za-z0-9][A-Za-z0-9._-]{0,63})`);
  }
}

/** A non-negative whole number of seconds, as the shim's `is_number` takes it. */
function wholeSeconds(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 0) throw new StaysshError(`invalid number of seconds ${seconds}`);
  return Math.floor(seconds);
}

function shimLine(opts: ShimRunOptions, args: string[]): string {
  const sh = opts.interpreter ?? 'sh';
  return `exec ${shQuote(sh)} -c ${shQuote(SHIM_SCRIPT)} stayssh-shim ${shJoin(args)}`;
}

/**
 * Create-or-attach in one exec; runs in a pty. Reports `attached` (or an `error`) before
 * the multiplexer takes the terminal, then `exit`, `detached` or `gone` after.
 * Env entries with an invalid name or a newline in the value are left out (the shim
 * would drop them too): they cannot be carried faithfully.
 */
export function attachCommand(opts: AttachCommandOptions): string {
  checkName(opts.name);
  const env = Object.entries(opts.env)
    .filter(([k, v]) => ENV_NAME_RE.test(k) && !v.includes('\n'))
    .map(([k, v]) => `${k}=${v}`);
  const expiry = opts.create ? wholeSeconds(opts.expireIdleSeconds ?? 0) : 0;
  return shimLine(opts, ['attach', opts.name, opts.mux, opts.create ? '1' : '0', String(expiry), opts.view ?? 'screen', opts.command ?? '', ...env]);
}

/** One `session` report per session (both multiplexers for `auto`); prunes stale state. */
export function listCommand(mux: MuxChoice = 'auto', opts: ShimRunOptions = {}): string {
  return shimLine(opts, ['list', mux]);
}

/** Ends session `name`: reports `killed`, or an `error` with code `no-session`. */
export function killCommand(name: string, opts: ShimRunOptions = {}): string {
  checkName(name);
  return shimLine(opts, ['kill', name]);
}

/**
 * Ends the tmux and screen sessions with no client attached that were created more than
 * `ageSeconds` ago: a `killed` report for each (none: no report, status 0).
 */
export function pruneCommand(ageSeconds: number, opts: ShimRunOptions = {}): string {
  return shimLine(opts, ['prune', String(wholeSeconds(ageSeconds))]);
}

/** Reports which multiplexers the server has, with their versions. */
export function probeCommand(opts: ShimRunOptions = {}): string {
  return shimLine(opts, ['probe']);
}
