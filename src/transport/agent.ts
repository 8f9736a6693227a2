/**
 * The ssh-agent to use: IdentityAgent, else SSH_AUTH_SOCK (ssh2 never reads it itself).
 * With IdentitiesOnly, only agent keys that match an IdentityFile are offered.
 */
import { existsSync } from 'node:fs';
import ssh2 from './ssh2.js';
import type { IdentityCallback, ParsedKey } from 'ssh2';

const { OpenSSHAgent } = ssh2;

export function agentSocketPath(identityAgent: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (identityAgent === 'none') return undefined;
  const path =
    identityAgent === undefined || identityAgent === 'SSH_AUTH_SOCK'
      ? env['SSH_AUTH_SOCK']
      : identityAgent.startsWith('$')
        ? env[identityAgent.slice(1)]
        : identityAgent;
  return path && existsSync(path) ? path : undefined;
}

/** An agent that only lists the keys whose public blob is in `allowed`. */
export class FilteredAgent extends OpenSSHAgent {
  constructor(
    socketPath: string,
    private readonly allowed: Buffer[],
  ) {
    super(socketPath);
  }

  override getIdentities(cb: IdentityCallback<ParsedKey>): void {
    super.getIdentities((err, keys) => {
      if (err || !keys) return cb(err, keys);
      // The OpenSSH agent lists plain ParsedKeys; entries with a nested pubKey are for other agents.
      const blobOf = (k: (typeof keys)[number]): Buffer | undefined => ('getPublicSSH' in k ? k.getPublicSSH() : undefined);
      cb(undefined, keys.filter((k) => this.allowed.some((a) => { const b = blobOf(k); return b !== undefined && a.equals(b); })));
    });
  }
}
