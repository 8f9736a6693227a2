import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { LexError, splitArgs } from './config-lexer.js';
import { readConfigFile, systemDirOf } from './config-reader.js';
import { canonicalKeyword } from './keywords.js';
import { COMMAND_LINE_ORIGIN, configError } from './origin.js';
import { SshOptionStore, type Setting } from './ssh-options.js';
import { ExpansionError, expandEnv, expandTilde, expandTokens } from './tokens.js';
import type {
  AddressFamily, RequestTTY, ResolvedSshConfig, StrictHostKeyChecking,
} from './types.js';

export { parseForwardSpec, parseDynamicSpec } from './forward-spec.js';
export { parseDestination, type Destination } from './destination.js';
export { quoteConfigArg } from './config-lexer.js';

export interface ResolveInput {
  /** As typed on the command line (after user@ / ssh:// port split). */
  host: string;
  /** From user@host or -l: beats the config files (an earlier -o User beats it, as in ssh). */
  user?: string;
  /** From -p or ssh://host:port: beats the config files (an earlier -o Port beats it). */
  port?: number;
  /** -o pairs and flags translated by the CLI, in command-line order. */
  commandLine: Array<[string, string]>;
  /** -F path or ~/.ssh/config; null = none. */
  userConfigPath: string | null;
  /**
   * True when userConfigPath came from -F: then a missing file is an error and the system
   * file is not read (ssh(1) -F). Default: true unless it is <homeDir>/.ssh/config.
   */
  userConfigFromFlag?: boolean;
  /** Normally /etc/ssh/ssh_config (missing is fine); relative system Includes use its directory. */
  systemConfigPath: string | null;
  homeDir: string;
  localUser: string;
  localHostName: string;
  /** For ${VAR} in paths and IdentityAgent $VAR; defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** For %i; defaults to process.getuid(). */
  uid?: number;
}

/** Methods stayssh implements, in OpenSSH's default order (gssapi and hostbased dropped). */
const IMPLEMENTED_AUTH = ['publickey', 'keyboard-interactive', 'password'];

const DEFAULT_IDENTITIES = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_dsa'];

/** Keywords whose -i/-o value is one path: a raw path with spaces is kept whole. */
const SINGLE_PATH = new Set(['IdentityFile', 'CertificateFile', 'IdentityAgent', 'ForwardAgent']);

/** Arguments of a command-line pair; a bare `-i "/my keys/id"` stays one argument. */
function commandLineArgs(keyword: string, value: string): string[] {
  try {
    const args = splitArgs(value);
    if (args.length > 1 && SINGLE_PATH.has(keyword)) return [value];
    return args;
  } catch (err) {
    if (!(err instanceof LexError)) throw err;
    if (SINGLE_PATH.has(keyword)) return [value];
    throw configError(COMMAND_LINE_ORIGIN, `unterminated quote in ${keyword} "${value}"`);
  }
}

function applyCommandLine(store: SshOptionStore, pairs: Array<[string, string]>): void {
  for (const [rawKeyword, value] of pairs) {
    const keyword = canonicalKeyword(rawKeyword);
    if (keyword === undefined) throw configError(COMMAND_LINE_ORIGIN, `unknown option "${rawKeyword}"`);
    if (keyword === 'Host' || keyword === 'Match' || keyword === 'Include') {
      throw configError(COMMAND_LINE_ORIGIN, `${keyword} is not supported as a command-line option`);
    }
    const args = commandLineArgs(keyword, value);
    if (args.length === 0) throw configError(COMMAND_LINE_ORIGIN, `no argument after keyword "${rawKeyword}"`);
    store.apply(keyword, args, value, COMMAND_LINE_ORIGIN, true);
  }
}

/** HostName with %h (the typed host) expanded; the only tokens HostName accepts. */
function hostNameOf(store: SshOptionStore, typedHost: string): string {
  const setting = store.get<string>('HostName');
  if (setting === undefined) return typedHost;
  return expandAt(setting, 'HostName', (v) => expandTokens(v, { h: typedHost }));
}

function expandAt<T>(setting: Setting<T>, keyword: string, expand: (value: T) => string): string {
  try {
    return expand(setting.value);
  } catch (err) {
    if (err instanceof ExpansionError) throw configError(setting.origin, `${keyword} ${err.message}`);
    throw err;
  }
}

/**
 * Resolves the options for one destination exactly as ssh(1) does: command line, then
 * the user file, then the system file; first obtained value wins, IdentityFile,
 * CertificateFile, LocalForward, RemoteForward, DynamicForward and SendEnv accumulate.
 */
export function resolveSshConfig(input: ResolveInput): ResolvedSshConfig {
  const env = input.env ?? process.env;
  const store = new SshOptionStore();
  applyCommandLine(store, input.commandLine);
  if (input.user !== undefined) store.offer('User', input.user, COMMAND_LINE_ORIGIN);
  if (input.port !== undefined) store.offer('Port', input.port, COMMAND_LINE_ORIGIN);

  const readerBase = {
    store,
    typedHost: input.host,
    homeDir: input.homeDir,
    localUser: input.localUser,
    systemDir: systemDirOf(input.systemConfigPath),
    matchSubject: () => ({
      host: safeHostName(store, input.host),
      originalHost: input.host,
      user: store.get<string>('User')?.value ?? input.localUser,
      localUser: input.localUser,
      tag: store.get<string>('Tag')?.value ?? '',
    }),
  };
  const fromFlag = input.userConfigPath !== null &&
    (input.userConfigFromFlag ?? input.userConfigPath !== join(input.homeDir, '.ssh', 'config'));
  if (input.userConfigPath !== null) readConfigFile(input.userConfigPath, { ...readerBase, kind: 'user' }, fromFlag);
  if (input.systemConfigPath !== null && !fromFlag) {
    readConfigFile(input.systemConfigPath, { ...readerBase, kind: 'system' }, false);
  }
  return finish(store, input, env);
}

/** For Match host: a bad token is reported later, with its line, by the final expansion. */
function safeHostName(store: SshOptionStore, typedHost: string): string {
  try {
    return hostNameOf(store, typedHost);
  } catch {
    return store.get<string>('HostName')?.value ?? typedHost;
  }
}

function finish(store: SshOptionStore, input: ResolveInput, env: Readonly<Record<string, string | undefined>>): ResolvedSshConfig {
  const get = <T>(keyword: string): T | undefined => store.get<T>(keyword)?.value;
  const hostName = hostNameOf(store, input.host).toLowerCase();
  const port = get<number>('Port') ?? 22;
  const user = get<string>('User') ?? input.localUser;
  const proxy = store.proxy;
  const rawJump = proxy?.value.kind === 'jump' && proxy.value.value.toLowerCase() !== 'none' ? proxy.value.value : undefined;
  const hostKeyAlias = get<string>('HostKeyAlias');
  const localHost = input.localHostName;
  const tokens: Record<string, string> = {
    h: hostName, n: input.host, p: String(port), r: user, u: input.localUser, d: input.homeDir,
    l: localHost, L: localHost.split('.')[0] ?? localHost, i: String(input.uid ?? process.getuid?.() ?? 0),
    j: rawJump ?? '', k: hostKeyAlias ?? input.host,
  };
  tokens.C = createHash('sha1').update(`${tokens.l}${hostName}${port}${user}${tokens.j}`).digest('hex');
  /** Paths: ~ first, then ${VAR}, then %tokens (OpenSSH order). */
  const path = (keyword: string, setting: Setting<string>): string =>
    expandAt(setting, keyword, (v) => expandTokens(expandEnv(expandTilde(v, input.homeDir, input.localUser), env), tokens));
  const pathList = (keyword: string, defaults: string[], withTokens: boolean): string[] => {
    const setting = store.get<string[]>(keyword) ?? { value: defaults, origin: COMMAND_LINE_ORIGIN };
    return setting.value
      .filter((p) => p.toLowerCase() !== 'none')
      .map((p) => (withTokens ? path(keyword, { value: p, origin: setting.origin }) : expandTilde(p, input.homeDir, input.localUser)));
  };
  /** IdentityAgent / ForwardAgent socket: `$VAR` names a variable holding the path. */
  const socketPath = (keyword: string, setting: Setting<string>): string => {
    const v = setting.value;
    if (/^\$[A-Za-z_][A-Za-z0-9_]*$/.test(v)) return env[v.slice(1)] ?? 'none';
    return path(keyword, setting);
  };

  const identityAgentSetting = store.get<string>('IdentityAgent');
  let identityAgent: string | undefined;
  if (identityAgentSetting !== undefined) {
    const v = identityAgentSetting.value;
    identityAgent = v === 'none' || v === 'SSH_AUTH_SOCK' ? v : socketPath('IdentityAgent', identityAgentSetting);
  }
  const forwardAgentSetting = store.get<boolean | string>('ForwardAgent');
  const forwardAgentSocket = typeof forwardAgentSetting?.value === 'string'
    ? socketPath('ForwardAgent', forwardAgentSetting as Setting<string>) : undefined;

  const preferred = get<string>('PreferredAuthentications');
  const clearForwards = get<boolean>('ClearAllForwardings') === true;
  const result: ResolvedSshConfig = {
    originalHost: input.host,
    hostName,
    user,
    port,
    identityFiles: store.identityFiles.length > 0
      ? store.identityFiles.map((s) => path('IdentityFile', s))
      : DEFAULT_IDENTITIES.map((name) => join(input.homeDir, '.ssh', name)),
    identityFilesExplicit: store.identityFiles.length > 0,
    identitiesOnly: get<boolean>('IdentitiesOnly') ?? false,
    identityAgent,
    proxyJump: rawJump === undefined ? undefined
      : expandAt({ value: rawJump, origin: proxy?.origin ?? COMMAND_LINE_ORIGIN }, 'ProxyJump',
        (v) => expandTokens(v, { h: hostName, n: input.host, p: String(port), r: user })),
    userKnownHostsFiles: pathList('UserKnownHostsFile', ['~/.ssh/known_hosts', '~/.ssh/known_hosts2'], true),
    globalKnownHostsFiles: pathList('GlobalKnownHostsFile', ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'], false),
    strictHostKeyChecking: get<StrictHostKeyChecking>('StrictHostKeyChecking') ?? 'ask',
    hashKnownHosts: get<boolean>('HashKnownHosts') ?? false,
    serverAliveInterval: get<number>('ServerAliveInterval') ?? 0,
    serverAliveIntervalSet: get<number>('ServerAliveInterval') !== undefined,
    serverAliveCountMax: get<number>('ServerAliveCountMax') ?? 3,
    serverAliveCountMaxSet: get<number>('ServerAliveCountMax') !== undefined,
    connectTimeout: get<number | null>('ConnectTimeout') ?? undefined,
    batchMode: get<boolean>('BatchMode') ?? false,
    passwordAuthentication: get<boolean>('PasswordAuthentication') ?? true,
    pubkeyAuthentication: get<boolean>('PubkeyAuthentication') ?? true,
    kbdInteractiveAuthentication: get<boolean>('KbdInteractiveAuthentication') ?? true,
    preferredAuthentications: preferred === undefined ? [...IMPLEMENTED_AUTH]
      : preferred.toLowerCase().split(',').filter((m, i, all) => IMPLEMENTED_AUTH.includes(m) && all.indexOf(m) === i),
    forwardAgent: forwardAgentSetting === undefined ? false : forwardAgentSetting.value !== false,
    localForwards: clearForwards ? [] : store.localForwards,
    remoteForwards: clearForwards ? [] : store.remoteForwards,
    dynamicForwards: clearForwards ? [] : store.dynamicForwards,
    exitOnForwardFailure: get<boolean>('ExitOnForwardFailure') ?? false,
    requestTTY: get<RequestTTY>('RequestTTY') ?? 'auto',
    sendEnv: store.sendEnv,
    setEnv: store.setEnv ?? [],
    escapeChar: get<string>('EscapeChar') ?? '~',
    logLevel: get<string>('LogLevel') ?? 'INFO',
    addressFamily: get<AddressFamily>('AddressFamily') ?? 'any',
    compression: get<boolean>('Compression') ?? false,
    gatewayPorts: get<boolean>('GatewayPorts') ?? false,
    ignoredKeywords: store.ignoredKeywords,
  };
  if (forwardAgentSocket !== undefined) result.forwardAgentSocket = forwardAgentSocket;
  if (hostKeyAlias !== undefined) result.hostKeyAlias = hostKeyAlias;
  const bindAddress = get<string>('BindAddress');
  if (bindAddress !== undefined && bindAddress.toLowerCase() !== 'none') result.bindAddress = bindAddress;
  // `none` obtained first means no file, as OpenSSH's CLEAR_ON_NONE after first-wins.
  const revoked = store.get<string>('RevokedHostKeys');
  if (revoked !== undefined && revoked.value.toLowerCase() !== 'none') result.revokedHostKeys = path('RevokedHostKeys', revoked);
  if (proxy?.value.kind === 'command' && proxy.value.value.toLowerCase() !== 'none') result.proxyCommand = proxy.value.value;
  return result;
}
