/**
 * The reconnect defaults every mode shares (docs/BEHAVIOUR.md §1 and §3), defined once.
 */

/** ms of silence before a keepalive probe when neither ServerAlive option is set: 5 s. */
export const DEFAULT_ALIVE_INTERVAL_MS = 5_000;
/** silent intervals that mean dead when neither ServerAlive option is set: 5 s × 2 = 10 s. */
export const DEFAULT_ALIVE_COUNT_MAX = 2;
/** OpenSSH's own ServerAliveCountMax default, used when only the interval is set. */
export const OPENSSH_ALIVE_COUNT_MAX = 3;
/** ms, `--backoff-max` default: a down link is re-tried at least twice a minute. */
export const DEFAULT_BACKOFF_MAX_MS = 30_000;
