/** What ssh_config resolution yields for one destination: typed, defaults applied. */

export type StrictHostKeyChecking = 'yes' | 'no' | 'ask' | 'accept-new';
export type RequestTTY = 'auto' | 'yes' | 'no' | 'force';
export type AddressFamily = 'any' | 'inet' | 'inet6';

/** A -L / LocalForward or -R / RemoteForward: listen on bind:port, connect to host:hostPort. */
export interface ForwardSpec {
  bindAddress?: string;
  listenPort: number;
  /** Remote socket paths are not supported; host/port always present. */
  connectHost: string;
  connectPort: number;
}

/** A -D / DynamicForward: a SOCKS listener on bind:port. */
export interface DynamicForwardSpec {
  bindAddress?: string;
  listenPort: number;
}

export interface ResolvedSshConfig {
  /** The name the user typed (after user@ and port are split off): %n. */
  originalHost: string;
  /** HostName (with tokens expanded), or the typed host: %h. */
  hostName: string;
  user: string;
  port: number;
  identityFiles: string[];
  /** True when IdentityFile came from config or -i (not the defaults). */
  identityFilesExplicit: boolean;
  identitiesOnly: boolean;
  /** 'none' disables the agent; 'SSH_AUTH_SOCK' means the environment; else a socket path. */
  identityAgent: string | undefined;
  proxyJump: string | undefined;
  userKnownHostsFiles: string[];
  globalKnownHostsFiles: string[];
  strictHostKeyChecking: StrictHostKeyChecking;
  hashKnownHosts: boolean;
  /** Seconds; 0 = unset (stayssh then uses its own default, docs/BEHAVIOUR.md §3). */
  serverAliveInterval: number;
  serverAliveIntervalSet: boolean;
  serverAliveCountMax: number;
  serverAliveCountMaxSet: boolean;
  /** Seconds; undefined = unset. */
  connectTimeout: number | undefined;
  batchMode: boolean;
  passwordAuthentication: boolean;
  pubkeyAuthentication: boolean;
  kbdInteractiveAuthentication: boolean;
  /** Lower-case method names in order, e.g. ['publickey','keyboard-interactive','password']. */
  preferredAuthentications: string[];
  forwardAgent: boolean;
  /** ForwardAgent given as a socket path (or $VAR): forward that agent instead of SSH_AUTH_SOCK. */
  forwardAgentSocket?: string;
  /**
   * RevokedHostKeys, `~`, `${VAR}` and tokens expanded; absent when unset or `none`. Every
   * host key is checked against it (config/revoked-keys.ts).
   */
  revokedHostKeys?: string;
  /** HostKeyAlias: the name to look up and record in known_hosts instead of hostName. */
  hostKeyAlias?: string;
  /**
   * ProxyCommand when it won over ProxyJump (raw, tokens unexpanded). stayssh does not run
   * it; the transport should refuse clearly rather than dial directly.
   */
  proxyCommand?: string;
  localForwards: ForwardSpec[];
  remoteForwards: ForwardSpec[];
  dynamicForwards: DynamicForwardSpec[];
  exitOnForwardFailure: boolean;
  requestTTY: RequestTTY;
  /** Patterns of local environment variable names to send (SendEnv, accumulated). */
  sendEnv: string[];
  /** NAME=VALUE pairs (SetEnv, first occurrence of each name wins). */
  setEnv: Array<[string, string]>;
  /** A single character, a control char from ^X, or 'none'. */
  escapeChar: string;
  logLevel: string;
  addressFamily: AddressFamily;
  /** Compression (-C): zlib offered first. */
  compression?: boolean;
  /** GatewayPorts (-g): local and dynamic forwards without a bind address listen on every address. */
  gatewayPorts?: boolean;
  /** BindAddress (-b): the local address the TCP connection is made from. */
  bindAddress?: string;
  /** -c: ssh2's cipher list, in order (transport/algorithms.ts); ssh2's default when absent. */
  ciphers?: string[];
  /** -m: ssh2's MAC list, in order; ssh2's default when absent. */
  macs?: string[];
  /** Valid OpenSSH keywords seen that stayssh accepts but does not implement (for -v). */
  ignoredKeywords: string[];
}
