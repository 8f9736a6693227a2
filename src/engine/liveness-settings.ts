/** Liveness thresholds from ssh_config (docs/BEHAVIOUR.md §3), shared by the CLI and the library API. */
import type { ResolvedSshConfig } from '../config/types.js';

import { DEFAULT_ALIVE_COUNT_MAX, DEFAULT_ALIVE_INTERVAL_MS, OPENSSH_ALIVE_COUNT_MAX } from '../contracts/reconnect-defaults.js';

/** seconds: stayssh's default ServerAliveInterval (docs/BEHAVIOUR.md §3). */
const DEFAULT_ALIVE_INTERVAL_S = DEFAULT_ALIVE_INTERVAL_MS / 1000;

export interface LivenessSettings {
  intervalMs: number;
  countMax: number;
}

export function livenessFrom(cfg: ResolvedSshConfig): LivenessSettings {
  if (!cfg.serverAliveIntervalSet && !cfg.serverAliveCountMaxSet) {
    return { intervalMs: DEFAULT_ALIVE_INTERVAL_S * 1000, countMax: DEFAULT_ALIVE_COUNT_MAX };
  }
  // ServerAliveInterval 0 switches keepalives off in OpenSSH; stayssh cannot work without
  // noticing a dead link, so it keeps its default interval then.
  const interval = cfg.serverAliveIntervalSet && cfg.serverAliveInterval > 0 ? cfg.serverAliveInterval : DEFAULT_ALIVE_INTERVAL_S;
  const count = cfg.serverAliveCountMaxSet ? cfg.serverAliveCountMax : OPENSSH_ALIVE_COUNT_MAX;
  return { intervalMs: interval * 1000, countMax: Math.max(1, count) };
}
