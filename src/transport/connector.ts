/**
 * Turns a resolved ssh_config into something that can dial the same server again and
 * again with the same pinned host key and the same in-memory secrets: the first dial may
 * ask a person; re-dials reuse what the run already has.
 */
import { hostKeyIdentity, keyTypeOf, knownHostKeyTypes } from '../config/known-hosts.js';
import { secretDestination } from '../credentials/accounts.js';
import type { ResolvedSshConfig } from '../config/types.js';
import { agentSocketPath } from './agent.js';
import { makeAuthHandler } from './auth.js';
import type { Socket } from 'node:net';
import { StaysshError } from '../errors.js';
import { compressionList } from './algorithms.js';
import { dial, type DialWatch } from './dial.js';
import { ProvenKey } from './proven-key.js';
import { dialChain, makeHopResolver, resolveJumpChain, type ChainEndpoint, type HopResolver } from './jump.js';
import type { Connection } from './connection.js';
import { HostKeyGate } from './host-key-gate.js';
import type { Prompter, SecretCache } from './prompter.js';

/**
 * Deadline for TCP connect + key exchange on the first dial when ConnectTimeout is unset,
 * ms. OpenSSH waits for the kernel (minutes); a typo must fail fast (docs/BEHAVIOUR.md §2).
 */
const FIRST_CONNECT_TIMEOUT_MS = 15_000;
/**
 * Deadline for TCP connect + key exchange of a re-dial, ms. A healthy path answers in well
 * under a second; a half-dead one is better abandoned for the next attempt.
 */
const REDIAL_CONNECT_TIMEOUT_MS = 5_000;
/** Deadline for authentication on a re-dial, when nobody is typing, ms. */
const REDIAL_AUTH_TIMEOUT_MS = 10_000;

export interface ConnectorContext {
  prompter: Prompter | undefined;
  secrets: SecretCache;
  env: NodeJS.ProcessEnv;
  warn(text: string): void;
  debug?: (line: string) => void;
  /** Resolves a ProxyJump hop through ssh_config (default: ~/.ssh/config, no -F). */
  resolveHop?: HopResolver;
}

export interface Connector {
  readonly gate: HostKeyGate;
  readonly config: ResolvedSshConfig;
  /**
   * The host stayssh opens its TCP connection to: the first hop of a ProxyJump chain, else
   * the destination's HostName. The network watcher follows the route to this one; the
   * destination behind a jump host is never resolved locally, as with `ssh -J`
   * (docs/BEHAVIOUR.md §3).
   */
  readonly dialedHost: string;
  /**
   * `first`: the connection a person may be asked for; later calls never ask but for OTPs.
   * `watch`: hears when the server answers, and may call the dial off.
   */
  dial(first: boolean, watch?: DialWatch): Promise<Connection>;
}

/** Key types in known_hosts -> ssh2 host key algorithm names (RSA signs with SHA-2 first). */
function hostKeyAlgorithmsFor(types: string[]): string[] {
  return [...new Set(types.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t])))];
}

/** One SSH server of the run (the destination or a jump host): its gate, and how to dial it. */
function makeEndpoint(cfg: ResolvedSshConfig, ctx: ConnectorContext, isTarget: boolean): ChainEndpoint & { gate: HostKeyGate } {
  const prompter = cfg.batchMode ? undefined : ctx.prompter;
  // HostKeyAlias: the name looked up and recorded in known_hosts instead of HostName,
  // without the port (OpenSSH get_hostfile_hostname_ipaddr).
  const { host: keyHost, port: keyPort } = hostKeyIdentity(cfg);
  const gate = new HostKeyGate({
    host: keyHost,
    port: keyPort,
    displayName: cfg.originalHost,
    userKnownHostsFiles: cfg.userKnownHostsFiles,
    globalKnownHostsFiles: cfg.globalKnownHostsFiles,
    strict: cfg.strictHostKeyChecking,
    hashKnownHosts: cfg.hashKnownHosts,
    // Each hop's own RevokedHostKeys (its ssh_config), as `ssh -J` runs one ssh per hop.
    revokedHostKeys: cfg.revokedHostKeys,
    prompter,
    warn: ctx.warn,
  });
  const agentSocket = agentSocketPath(cfg.identityAgent, ctx.env);
  // ForwardAgent may name a socket of its own; jump hosts never get the agent (ssh -W has no session).
  const forwardSocket = !isTarget || !cfg.forwardAgent ? undefined : cfg.forwardAgentSocket !== undefined ? agentSocketPath(cfg.forwardAgentSocket, ctx.env) : agentSocket;
  const identities = cfg.identityFiles.map((path) => ({ path, explicit: cfg.identityFilesExplicit }));
  const authOptions = {
    user: cfg.user,
    host: cfg.hostName,
    port: cfg.port,
    // Filed under the host key's name, and bound to the key itself (docs/BEHAVIOUR.md §6).
    account: secretDestination(cfg),
    identities,
    identitiesOnly: cfg.identitiesOnly,
    agentSocket,
    preferred: cfg.preferredAuthentications,
    pubkey: cfg.pubkeyAuthentication,
    password: cfg.passwordAuthentication,
    keyboardInteractive: cfg.kbdInteractiveAuthentication,
    prompter,
    secrets: ctx.secrets,
    warn: ctx.warn,
  };
  const connectTimeoutMs = connectTimeoutOf(cfg);
  const provenKey = new ProvenKey();
  return {
    gate,
    config: cfg,
    dial: (first: boolean, sock?: Socket, watch?: DialWatch) =>
      dial({
        host: cfg.hostName,
        port: cfg.port,
        user: cfg.user,
        addressFamily: cfg.addressFamily,
        connectTimeoutMs: first ? connectTimeoutMs : Math.min(connectTimeoutMs, REDIAL_CONNECT_TIMEOUT_MS),
        authTimeoutMs: first ? 0 : REDIAL_AUTH_TIMEOUT_MS,
        gate,
        authHandler: (hostKey) => makeAuthHandler({ ...authOptions, hostKey }),
        forwardAgentSocket: forwardSocket,
        ...(sock ? { sock } : {}),
        ...(watch ? { watch } : {}),
        provenKey,
        // After first contact, ask for the pinned key's type so the comparison is like for like.
        preferredHostKeyAlgorithms: gate.pinnedKey
          ? hostKeyAlgorithmsFor([keyTypeOf(gate.pinnedKey)])
          : hostKeyAlgorithmsFor(knownHostKeyTypes([...cfg.userKnownHostsFiles, ...cfg.globalKnownHostsFiles], keyHost, keyPort)),
        debug: ctx.debug,
        ...(cfg.ciphers ? { ciphers: cfg.ciphers } : {}),
        ...(cfg.macs ? { macs: cfg.macs } : {}),
        ...(cfg.compression === true ? { compress: compressionList(true) } : {}),
        // A hop after the first is reached through a channel: no local address of its own.
        ...(cfg.bindAddress !== undefined && !sock ? { localAddress: cfg.bindAddress } : {}),
      }),
  };
}

/**
 * ms a first login may take, ConnectTimeout or our default: the window within which a
 * transient fault of the first login (a reset mid-handshake) is retried.
 */
export function connectTimeoutOf(cfg: ResolvedSshConfig): number {
  return cfg.connectTimeout !== undefined ? cfg.connectTimeout * 1000 : FIRST_CONNECT_TIMEOUT_MS;
}

/**
 * The destination, directly or through its ProxyJump chain. Hops are resolved here, once,
 * so a bad jump-host configuration fails before anything is dialed; each hop keeps its own
 * HostKeyGate for the whole run, so its key is pinned like the destination's.
 */
export function makeConnector(cfg: ResolvedSshConfig, ctx: ConnectorContext): Connector {
  if (cfg.proxyCommand !== undefined) {
    throw new StaysshError(`ProxyCommand is not supported by stayssh (${cfg.originalHost}); use ProxyJump`);
  }
  const target = makeEndpoint(cfg, ctx, true);
  const resolveHop = ctx.resolveHop ?? makeHopResolver({ env: ctx.env });
  const hops = cfg.proxyJump !== undefined ? resolveJumpChain(cfg.proxyJump, resolveHop).map((h) => makeEndpoint(h, ctx, false)) : [];
  // A dial that succeeded proves the secrets typed for it: only now may --remember store them.
  const accepted = async (conn: Connection): Promise<Connection> => {
    await ctx.secrets.accepted();
    return conn;
  };
  return {
    gate: target.gate,
    config: cfg,
    dialedHost: hops[0]?.config.hostName ?? cfg.hostName,
    dial: (first: boolean, watch?: DialWatch) => {
      if (hops.length === 0) return target.dial(first, undefined, watch).then(accepted);
      const timeoutMs = first ? connectTimeoutOf(cfg) : Math.min(connectTimeoutOf(cfg), REDIAL_CONNECT_TIMEOUT_MS);
      return dialChain(hops, target, first, timeoutMs, watch).then(accepted);
    },
  };
}
