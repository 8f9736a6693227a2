/** The state changes a session reports (docs/BEHAVIOUR.md §5): event file lines, hooks, library events. */

export type SessionEventName =
  | 'connecting'
  | 'connected'
  | 'attached'
  | 'disconnected'
  | 'reconnecting'
  | 'reconnected'
  | 'gave-up'
  | 'exit';

export interface SessionEvent {
  ts: string;
  event: SessionEventName;
  host: string;
  session: string;
  attempt?: number;
  reason?: string;
  downtimeMs?: number;
  code?: number;
}

/** What the supervisor knows when it asks the policy whether and when to re-dial. */
export interface PolicyContext {
  /** 1 for the first re-dial after a loss. */
  attempt: number;
  /** How long the link has been down, ms. */
  downtimeMs: number;
  /** Why the last link or attempt failed. */
  reason: string;
}

/** A reconnect policy: milliseconds to wait before the next re-dial, or give up. */
export type ReconnectPolicy = (ctx: PolicyContext) => number | 'give-up';
