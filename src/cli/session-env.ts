/**
 * Environment asked for by ssh_config: SendEnv patterns (OpenSSH's wildcards) and SetEnv
 * pairs, sent as OpenSSH does. The locale an interactive session carries into the
 * multiplexer is remote/shim.ts's carriedEnv().
 */
import { matchPattern } from '../config/patterns.js';
import type { ResolvedSshConfig } from '../config/types.js';

export function requestedEnv(cfg: ResolvedSshConfig, env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  const patterns = cfg.sendEnv.filter((p) => !p.startsWith('-'));
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && patterns.some((p) => matchPattern(k, p))) out[k] = v;
  }
  for (const [k, v] of cfg.setEnv) out[k] = v;
  return out;
}
