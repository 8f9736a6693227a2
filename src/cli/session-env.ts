/**
 * Environment carried to the remote side. Interactive sessions carry LANG, LC_* and
 * COLORTERM into the multiplexer (sshd's AcceptEnv may not allow them, and the tmux
 * server would not pass them to a new window anyway). SendEnv patterns and SetEnv pairs
 * are sent as env requests, as OpenSSH does.
 */
import type { ResolvedSshConfig } from '../config/types.js';

function wildcardToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

export function localeEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && (k === 'LANG' || k.startsWith('LC_') || k === 'COLORTERM')) out[k] = v;
  }
  return out;
}

export function requestedEnv(cfg: ResolvedSshConfig, env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  const patterns = cfg.sendEnv.filter((p) => !p.startsWith('-')).map(wildcardToRegExp);
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && patterns.some((re) => re.test(k))) out[k] = v;
  }
  for (const [k, v] of cfg.setEnv) out[k] = v;
  return out;
}
