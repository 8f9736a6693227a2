/** argv -> CliOptions. Pure apart from commander writing --help/--version output. */
import { CommanderError } from 'commander';
import { StaysshError } from '../errors.js';
import { parseDuration } from '../config/durations.js';
import { parseOptionArg } from '../config/option-arg.js';
import { splitArgv } from './argv-split.js';
import { buildProgram } from './program.js';
import { refuseUnsupportedFlags } from './openssh-flags.js';
import type { CliOptions, MuxChoice } from './options.js';
import type { CompletionShell } from './program.js';

/** Thrown for -h/--help and --version: the text is already printed, exit 0. */
export class InformationalExit extends Error {
  constructor(readonly exitCode: number) {
    super('informational exit');
  }
}

type Raw = Record<string, unknown>;
const str = (raw: Raw, key: string): string | undefined =>
  typeof raw[key] === 'string' ? (raw[key] as string) : undefined;
const list = (raw: Raw, key: string): string[] => (Array.isArray(raw[key]) ? (raw[key] as string[]) : []);

/** Flags that are shorthands for config keywords, in the order OpenSSH applies them. */
function flagsAsConfig(raw: Raw): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const o of list(raw, 'o')) pairs.push(parseOptionArg(o));
  for (const i of list(raw, 'i')) pairs.push(['IdentityFile', i]);
  for (const l of list(raw, 'L')) pairs.push(['LocalForward', l]);
  for (const r of list(raw, 'R')) pairs.push(['RemoteForward', r]);
  for (const d of list(raw, 'D')) pairs.push(['DynamicForward', d]);
  const jump = str(raw, 'J');
  if (jump !== undefined) pairs.push(['ProxyJump', jump]);
  const escape = str(raw, 'e');
  if (escape !== undefined) pairs.push(['EscapeChar', escape]);
  if (raw['4'] === true) pairs.push(['AddressFamily', 'inet']);
  if (raw['6'] === true) pairs.push(['AddressFamily', 'inet6']);
  if (raw['A'] === true) pairs.push(['ForwardAgent', 'yes']);
  if (raw['a'] === true) pairs.push(['ForwardAgent', 'no']);
  if (raw['q'] === true) pairs.push(['LogLevel', 'QUIET']);
  if (raw['C'] === true) pairs.push(['Compression', 'yes']);
  if (raw['g'] === true) pairs.push(['GatewayPorts', 'yes']);
  const bind = str(raw, 'b');
  if (bind !== undefined) pairs.push(['BindAddress', bind]);
  const tag = str(raw, 'P');
  if (tag !== undefined) pairs.push(['Tag', tag]);
  // Command-line flags come before -o in OpenSSH only where the flag is processed first;
  // -o values still win over config files either way, which is what users observe.
  return pairs;
}

function duration(raw: Raw, key: string, flag: string): number | undefined {
  const value = str(raw, key);
  if (value === undefined) return undefined;
  try {
    return parseDuration(value);
  } catch (err) {
    throw new StaysshError(`${flag}: ${(err as Error).message}`);
  }
}

/**
 * `--list`, `--kill` and their companions: which go together (docs/BEHAVIOUR.md §1). A
 * combination that means nothing is bad input (one line, 255), never silently ignored.
 */
function sessionManagement(raw: Raw, command: string[]): Pick<CliOptions, 'kill' | 'killDetached' | 'olderThanMs'> {
  const list = raw['list'] === true;
  const killRaw = raw['kill'];
  const killing = killRaw !== undefined;
  const detached = raw['detached'] === true;
  const olderThan = str(raw, 'olderThan');
  if (raw['json'] === true && !list) throw new StaysshError('--json goes with --list only');
  if (list && killing) throw new StaysshError('--list and --kill cannot be combined');
  if (detached && !killing) throw new StaysshError('--detached goes with --kill only (--kill --detached)');
  if (olderThan !== undefined && !detached) throw new StaysshError('--older-than needs --kill --detached');
  if (!killing) return { kill: undefined, killDetached: false, olderThanMs: 0 };
  // Words after the destination are more names: `stayssh host --kill a b c`.
  const names = [...(Array.isArray(killRaw) ? (killRaw as string[]) : []), ...command];
  if (detached && names.length > 0) throw new StaysshError(`--kill --detached chooses sessions by their state: name none (got ${names.join(' ')})`);
  if (!detached && names.length === 0) throw new StaysshError('--kill needs a session name (or --detached)');
  return { kill: names, killDetached: detached, olderThanMs: duration(raw, 'olderThan', '--older-than') ?? 0 };
}

export function parseArgs(argv: readonly string[], version: string): CliOptions {
  const split = splitArgv(argv);
  const program = buildProgram(version);
  try {
    program.parse(split.options, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
        throw new InformationalExit(0);
      }
      // commander already printed "error: ..." on stderr; keep its one line, exit 255.
      throw new StaysshError(err.message.replace(/^error: /, ''), 255);
    }
    throw err;
  }
  const raw = program.opts() as Raw;
  // -V wins over everything, as in ssh; a flag stayssh cannot honour ends the run next.
  if (raw['V'] !== true) refuseUnsupportedFlags(raw);
  return {
    argv,
    destination: split.destination,
    command: split.command,
    port: raw['p'] as number | undefined,
    login: str(raw, 'l'),
    configFile: str(raw, 'F'),
    sshOptions: flagsAsConfig(raw),
    forceTty: (raw['t'] as number | undefined) ?? 0,
    disableTty: raw['T'] === true,
    noCommand: raw['N'] === true,
    quiet: raw['q'] === true,
    verbose: (raw['v'] as number | undefined) ?? 0,
    printVersion: raw['V'] === true,
    printConfig: raw['G'] === true,
    query: str(raw, 'Q'),
    logFile: str(raw, 'E'),
    stdinNull: raw['n'] === true,
    cipherSpec: str(raw, 'c'),
    macSpec: str(raw, 'm'),
    session: str(raw, 'session'),
    list: raw['list'] === true,
    json: raw['json'] === true,
    ...sessionManagement(raw, split.command),
    mux: str(raw, 'mux') as MuxChoice | undefined,
    maxAttempts: raw['maxAttempts'] as number | undefined,
    giveUpAfterMs: duration(raw, 'giveUpAfter', '--give-up-after'),
    backoffMaxMs: duration(raw, 'backoffMax', '--backoff-max'),
    onDisconnect: str(raw, 'onDisconnect'),
    onReconnect: str(raw, 'onReconnect'),
    onGiveUp: str(raw, 'onGiveUp'),
    events: str(raw, 'events'),
    remember: raw['remember'] === true,
    sessionIdleExpiryMs: undefined,
    forget: raw['forget'] === true,
    demo: raw['demo'] === true,
    completion: str(raw, 'completion') as CompletionShell | undefined,
  };
}
