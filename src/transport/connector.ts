/**
 * Turns a resolved ssh_config into something that can dial the same server again and
 * again with the same pinned host key and the same in-memory secrets: the first dial may
 * ask a person; re-dials reuse what the run already has.
 */
import { keyTypeOf, knownHostKeyTypes } from '../config/known-hosts.js';
import type { ResolvedSshConfig } from '../config/types.js';
import { agentSocketPath } from './agent.js';
import { makeAuthHandler } from './auth.js';
import { dial } from './dial.js';
import type { Connection } from './connection.js';
import { HostKeyGate } from './host-key-gate.js';
import type { Prompter, SecretCache } from './prompter.js';

/**
 * Deadline for TCP connect + key exchange on the first dial when ConnectTimeout is unset,
 * ms. OpenSSH waits for the kernel (minutes); the SPEC wants a typo to fail fast.
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
}

export interface Connector {
  readonly gate: HostKeyGate;
  readonly config: ResolvedSshConfig;
  /** `first`: the connection a person may be asked for; later calls never ask but for OTPs. */
  dial(first: boolean): Promise<Connection>;
}

/** Key types in known_hosts -> ssh2 host key algorithm names (RSA signs with SHA-2 first). */
function hostKeyAlgorithmsFor(types: string[]): string[] {
  return [...new Set(types.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t])))];
}

export function makeConnector(cfg: ResolvedSshConfig, ctx: ConnectorContext): Connector {
  const prompter = cfg.batchMode ? undefined : ctx.prompter;
  const gate = new HostKeyGate({
    host: cfg.hostName,
    port: cfg.port,
    displayName: cfg.originalHost,
    userKnownHostsFiles: cfg.userKnownHostsFiles,
    globalKnownHostsFiles: cfg.globalKnownHostsFiles,
    strict: cfg.strictHostKeyChecking,
    hashKnownHosts: cfg.hashKnownHosts,
    prompter,
    warn: ctx.warn,
  });
  const agentSocket = agentSocketPath(cfg.identityAgent, ctx.env);
  const identities = cfg.identityFiles.map((path) => ({ path, explicit: cfg.identityFilesExplicit }));
  const authOptions = {
    user: cfg.user,
    host: cfg.hostName,
    port: cfg.port,
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
  const connectTimeoutMs = cfg.connectTimeout !== undefined ? cfg.connectTimeout * 1000 : FIRST_CONNECT_TIMEOUT_MS;
  return {
    gate,
    config: cfg,
    dial: (first: boolean) =>
      dial({
        host: cfg.hostName,
        port: cfg.port,
        user: cfg.user,
        addressFamily: cfg.addressFamily,
        connectTimeoutMs: first ? connectTimeoutMs : Math.min(connectTimeoutMs, REDIAL_CONNECT_TIMEOUT_MS),
        authTimeoutMs: first ? 0 : REDIAL_AUTH_TIMEOUT_MS,
        gate,
        authHandler: () => makeAuthHandler(authOptions),
        forwardAgentSocket: cfg.forwardAgent ? agentSocket : undefined,
        // After first contact, ask for the pinned key's type so the comparison is like for like.
        preferredHostKeyAlgorithms: gate.pinnedKey
          ? hostKeyAlgorithmsFor([keyTypeOf(gate.pinnedKey)])
          : hostKeyAlgorithmsFor(knownHostKeyTypes([...cfg.userKnownHostsFiles, ...cfg.globalKnownHostsFiles], cfg.hostName, cfg.port)),
        debug: ctx.debug,
      }),
  };
}
