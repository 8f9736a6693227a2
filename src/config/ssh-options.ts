import { StaysshError } from '../errors.js';
import { parseDynamicSpec, parseForwardSpec } from './forward-spec.js';
import { isIgnoredKeyword } from './keywords.js';
import {
  LOG_LEVELS, ValueError, parseChoice, parseCount, parseEscapeChar, parseFlag, parsePortValue,
  parseTimeSeconds,
} from './option-values.js';
import { COMMAND_LINE, configError, type Origin } from './origin.js';
import { matchPattern } from './patterns.js';
import type { DynamicForwardSpec, ForwardSpec } from './types.js';

/** A value with the place it was obtained, so late errors (tokens) can name file:line. */
export interface Setting<T> {
  value: T;
  origin: Origin;
}

/** ProxyJump and ProxyCommand compete: whichever is obtained first wins (ssh_config(5)). */
export interface ProxySetting {
  kind: 'jump' | 'command';
  /** Raw value; 'none' disables the proxy. */
  value: string;
}

type Parser = (args: string[], keyword: string) => unknown;

function single(parse: (value: string, keyword: string) => unknown): Parser {
  return (args, keyword) => {
    if (args.length > 1) throw new ValueError(`keyword ${keyword} extra arguments at end of line`);
    const value = args[0] ?? '';
    if (value === '') throw new ValueError(`keyword ${keyword} empty argument`);
    return parse(value, keyword);
  };
}

function several(args: string[], keyword: string): string[] {
  if (args.some((a) => a === '')) throw new ValueError(`keyword ${keyword} empty argument`);
  return args;
}

const text = single((v) => v);
const flag = single((v, k) => parseFlag(k, v));
const YES_NO = { yes: 'yes', true: 'yes', no: 'no', false: 'no' } as const;

/** Keywords whose first obtained value wins, with their value syntax. */
const FIRST_WINS: Readonly<Record<string, Parser>> = {
  HostName: text,
  User: text,
  Port: single((v) => parsePortValue(v)),
  IdentitiesOnly: flag,
  IdentityAgent: text,
  HostKeyAlias: text,
  UserKnownHostsFile: several,
  GlobalKnownHostsFile: several,
  StrictHostKeyChecking: single((v, k) =>
    parseChoice(k, v, { ...YES_NO, off: 'no', ask: 'ask', 'accept-new': 'accept-new' } as const)),
  HashKnownHosts: flag,
  ServerAliveInterval: single((v, k) => parseTimeSeconds(k, v)),
  ServerAliveCountMax: single((v, k) => parseCount(k, v)),
  ConnectTimeout: single((v, k) => (v.toLowerCase() === 'none' ? null : parseTimeSeconds(k, v))),
  BatchMode: flag,
  PasswordAuthentication: flag,
  PubkeyAuthentication: single((v, k) => parseFlag(k, v, { unbound: true, 'host-bound': true })),
  KbdInteractiveAuthentication: flag,
  PreferredAuthentications: text,
  // yes/no, or the path of an agent socket to forward (then forwarding is on).
  ForwardAgent: single((v) => (/^(yes|no|true|false)$/i.test(v) ? parseFlag('ForwardAgent', v) : v)),
  ClearAllForwardings: flag,
  ExitOnForwardFailure: flag,
  RequestTTY: single((v, k) => parseChoice(k, v, { ...YES_NO, force: 'force', auto: 'auto' } as const)),
  EscapeChar: single((v) => parseEscapeChar(v)),
  LogLevel: single((v, k) => parseChoice(k, v, LOG_LEVELS)),
  AddressFamily: single((v, k) => parseChoice(k, v, { any: 'any', inet: 'inet', inet6: 'inet6' } as const)),
  // A path ('none': no file), checked against every host key (config/revoked-keys.ts).
  RevokedHostKeys: text,
  // -C, -g, -b: compression offered, local forwards on every address, the address dialed from.
  Compression: flag,
  GatewayPorts: flag,
  BindAddress: text,
  IgnoreUnknown: text,
  Tag: text,
};

/** Why KnownHostsCommand, a security setting stayssh cannot honour, is refused. */
const KNOWN_HOSTS_COMMAND_REFUSED =
  'stayssh does not support KnownHostsCommand: it cannot ask that command for host keys, so it will not connect (put the keys in a known_hosts file instead)';

/** Every option obtained so far, in OpenSSH's first-wins / accumulate semantics. */
export class SshOptionStore {
  private readonly first = new Map<string, Setting<unknown>>();
  readonly identityFiles: Setting<string>[] = [];
  readonly certificateFiles: Setting<string>[] = [];
  readonly localForwards: ForwardSpec[] = [];
  readonly remoteForwards: ForwardSpec[] = [];
  readonly dynamicForwards: DynamicForwardSpec[] = [];
  readonly sendEnv: string[] = [];
  setEnv: Array<[string, string]> | undefined;
  proxy: Setting<ProxySetting> | undefined;
  readonly ignoredKeywords: string[] = [];

  get<T>(keyword: string): Setting<T> | undefined {
    return this.first.get(keyword) as Setting<T> | undefined;
  }

  /** Sets a value unless one was already obtained (used for user@host and -p). */
  offer(keyword: string, value: unknown, origin: Origin): void {
    if (!this.first.has(keyword)) this.first.set(keyword, { value, origin });
  }

  noteIgnored(what: string): void {
    if (!this.ignoredKeywords.includes(what)) this.ignoredKeywords.push(what);
  }

  /**
   * One directive. Its value is checked even in an inactive block (OpenSSH reports a bad
   * value wherever it is) but only stored when `active`.
   */
  apply(keyword: string, args: string[], rest: string, origin: Origin, active: boolean): void {
    try {
      this.applyChecked(keyword, args, rest, origin, active);
    } catch (err) {
      // Spec parsers speak to the CLI with StaysshError; here they get the file:line.
      if (err instanceof ValueError || err instanceof StaysshError) throw configError(origin, err.message);
      throw err;
    }
  }

  private applyChecked(keyword: string, args: string[], rest: string, origin: Origin, active: boolean): void {
    const parse = FIRST_WINS[keyword];
    if (parse !== undefined) {
      const value = parse(args, keyword);
      if (active) this.offer(keyword, value, origin);
      return;
    }
    switch (keyword) {
      case 'IdentityFile':
      case 'CertificateFile': {
        const path = text(args, keyword) as string;
        const list = keyword === 'IdentityFile' ? this.identityFiles : this.certificateFiles;
        // OpenSSH skips a path it already has.
        if (active && !list.some((s) => s.value === path)) list.push({ value: path, origin });
        if (active && keyword === 'CertificateFile') this.noteIgnored(keyword);
        return;
      }
      case 'LocalForward':
      case 'RemoteForward':
        return this.applyForward(keyword, args, origin, active);
      case 'DynamicForward': {
        const spec = parseDynamicSpec(text(args, keyword) as string);
        if (active) this.dynamicForwards.push(spec);
        return;
      }
      case 'SendEnv':
        return this.applySendEnv(args, active);
      case 'SetEnv':
        return this.applySetEnv(args, active);
      case 'ProxyJump':
      case 'ProxyCommand': {
        const value = keyword === 'ProxyJump' ? (text(args, keyword) as string) : rest;
        if (keyword === 'ProxyJump' && value.toLowerCase() !== 'none') checkJumpList(value);
        if (active && this.proxy === undefined) {
          this.proxy = { value: { kind: keyword === 'ProxyJump' ? 'jump' : 'command', value }, origin };
        }
        return;
      }
      case 'KnownHostsCommand':
        // A security setting stayssh cannot honour is refused, never ignored: ignoring it
        // would trust keys on first use that the command would have vouched for
        // (docs/BEHAVIOUR.md §7).
        if (active && (args[0] ?? '').toLowerCase() !== 'none') throw new ValueError(KNOWN_HOSTS_COMMAND_REFUSED);
        return;
      default:
        if (!isIgnoredKeyword(keyword)) throw new Error(`unhandled ssh_config keyword ${keyword}`);
        if (active) this.noteIgnored(keyword);
    }
  }

  /**
   * Config files write `LocalForward [bind:]port host:hostport` (two arguments); -L/-R
   * arrive from the CLI as one colon-separated argument, accepted on the command line only.
   * RemoteForward with a single port (remote SOCKS) is not supported.
   */
  private applyForward(keyword: string, args: string[], origin: Origin, active: boolean): void {
    const kind = keyword === 'LocalForward' ? 'local' : 'remote';
    let spec: string;
    if (args.length === 2) spec = `${args[0]}:${args[1]}`;
    else if (args.length === 1 && origin.file === COMMAND_LINE) spec = args[0] ?? '';
    else if (args.length === 1) {
      throw new ValueError(kind === 'remote'
        ? 'RemoteForward with one argument (remote dynamic forwarding) is not supported'
        : 'LocalForward needs two arguments: [bind_address:]port host:hostport');
    } else throw new ValueError(`keyword ${keyword} extra arguments at end of line`);
    const parsed = parseForwardSpec(spec, kind);
    if (!active) return;
    const list = kind === 'local' ? this.localForwards : this.remoteForwards;
    if (!list.some((f) => sameForward(f, parsed))) list.push(parsed);
  }

  /** Names accumulate; `-PATTERN` removes names already listed (OpenSSH 8.7+). */
  private applySendEnv(args: string[], active: boolean): void {
    for (const name of args) {
      if (name === '' || name.includes('=')) throw new ValueError(`invalid environment name "${name}" for SendEnv`);
    }
    if (!active) return;
    for (const name of args) {
      if (name.startsWith('-')) {
        const pattern = name.slice(1);
        for (let i = this.sendEnv.length - 1; i >= 0; i--) {
          if (matchPattern(this.sendEnv[i] ?? '', pattern)) this.sendEnv.splice(i, 1);
        }
      } else if (!this.sendEnv.includes(name)) {
        this.sendEnv.push(name);
      }
    }
  }

  /**
   * OpenSSH 9.x keeps the first SetEnv line obtained, whole (later lines are ignored, as
   * `ssh -G` shows); within it the first value of a repeated name wins.
   */
  private applySetEnv(args: string[], active: boolean): void {
    const pairs: Array<[string, string]> = [];
    for (const arg of args) {
      const eq = arg.indexOf('=');
      if (eq <= 0) throw new ValueError(`invalid SetEnv "${arg}" (expected NAME=VALUE)`);
      const name = arg.slice(0, eq);
      if (!pairs.some(([n]) => n === name)) pairs.push([name, arg.slice(eq + 1)]);
    }
    if (active && this.setEnv === undefined) this.setEnv = pairs;
  }
}

function sameForward(a: ForwardSpec, b: ForwardSpec): boolean {
  return a.bindAddress === b.bindAddress && a.listenPort === b.listenPort &&
    a.connectHost === b.connectHost && a.connectPort === b.connectPort;
}

/** ProxyJump: comma-separated `[user@]host[:port]` or `ssh://` hops, none of them empty. */
function checkJumpList(value: string): void {
  for (const hop of value.split(',')) {
    if (hop === '' || /\s/.test(hop) || hop.startsWith('-')) throw new ValueError(`invalid ProxyJump "${value}"`);
  }
}
