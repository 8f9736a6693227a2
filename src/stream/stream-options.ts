/** Stream mode's options, events and tuning constants (see stream-session.ts). */
import type { Connection } from '../transport/connection.js';
import type { Clock } from '../platform/clock.js';
import type { SessionEvent } from '../contracts/events.js';
import type { RetrySettings } from '../core/policy.js';
import type { LinkHooks, NetworkWatch } from '../transport/link-hooks.js';

/** stdin bytes held unconfirmed before local stdin is paused, bytes (memory bound). */
export const STDIN_HIGH_WATER_BYTES = 16 * 1024 * 1024;
/** Ask the server for a stdin confirmation once this much is unconfirmed, bytes. */
export const STDIN_CONFIRM_BYTES = 4 * 1024 * 1024;
/**
 * Acknowledge output (frees server disk) after this many new bytes, bytes. It bounds a
 * stream's spool on the server to about this much plus what is in flight. An ack is a
 * line on the control channel plus an `mv` and a `fallocate` there (a few ms of server
 * CPU); 32 MiB made no difference to a 1 GB download against 128 MiB. (It was 128 MiB
 * while each ack was an exec: an sshd session and a shell start, tens of ms of CPU.)
 */
export const OUTPUT_ACK_BYTES = 32 * 1024 * 1024;
/** A control exec (ctl, signal, hangup, fin) gets this long, ms: a few round trips + ~50 ms sh. */
export const CONTROL_TIMEOUT_MS = 5_000;
/**
 * Re-ask for a stdin confirmation this soon when the server had not caught up yet, ms.
 * A question is a line on an open channel and one `wc` there; local stdin may be paused
 * at the high-water mark meanwhile, so a long wait would idle the upload.
 */
export const CONFIRM_RETRY_MS = 20;
/** Channel closes without an exit status on a live link before we stop trying, count. */
export const MAX_BARREN_ATTACHES = 3;

/** The events a stream session reports: the engine's, as for every mode. */
export type StreamEvent = Omit<SessionEvent, 'ts' | 'host' | 'session'>;

export interface StreamOptions {
  connector: { dial(first: boolean): Promise<Connection> };
  name: string;
  command: string;
  env: Record<string, string>;
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  liveness: { intervalMs: number; countMax: number };
  retry: RetrySettings;
  /** ms within which a transient fault of the first login is retried (ConnectTimeout). */
  firstLoginWindowMs: number;
  /** Seeds the backoff's jitter (tests). */
  seed?: number;
  debug?: (line: string) => void;
  onEvent(e: StreamEvent): void;
  warn(text: string): void;
  /** Subscribe to SIGTERM/SIGHUP: leave, the command running on; returns an unsubscribe. */
  onTerminate?: (handler: () => void) => () => void;
  /** How the user resumes this session from another client, named when leaving. */
  resumeCommand?: string;
  /** Subscribe to local Ctrl-C (SIGINT); returns an unsubscribe. Absent: not relayed. */
  onInterrupt?: (handler: () => void) => () => void;
  clock?: Clock;
  linkHooks?: LinkHooks;
  watchNetwork?: NetworkWatch;
}
