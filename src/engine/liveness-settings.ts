/** Liveness thresholds from ssh_config (docs/BEHAVIOUR.md §3), shared by the CLI and the library API. */
import type { ResolvedSshConfig } from '../config/types.js';

/** docs/BEHAVIOUR.md §3: stayssh's defaults when neither ServerAlive option is set: 5 s × 2. */
const DEFAULT_ALIVE_INTERVAL_S = 5;
const DEFAULT_ALIVE_COUNT_MAX = 2;
/** OpenSSH's ServerAliveCountMax default, used when only the interval is set. */
const OPENSSH_ALIVE_COUNT_MAX = 3;

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
