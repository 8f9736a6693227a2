/**
 * What a mode plugs into the engine: what "attach" means on a fresh link. A shell opens
 * a pty running the multiplexer (session/pty-attachment.ts), a stream command resumes its
 * spools from their offsets (stream/stream-attachment.ts), a `-N` tunnel attaches nothing
 * (its forwards ride on the link hooks). Everything else — dialing, liveness, backoff,
 * network changes, give-up, events — is the engine's, the same for all three.
 */
import type { Connection } from '../transport/connection.js';

/** The attachment's way back into the engine, valid for one link: stale calls are ignored. */
export interface AttachLink {
  /** False once this link is gone or the run has ended. */
  readonly current: boolean;
  /** The session is live on this link. */
  attached(): void;
  /** The remote shell or command ended with this status. */
  exited(status: number): void;
  /** The session vanished on the server without a status. */
  gone(): void;
  /** Leave the session running on the server and end (a takeover, the user leaving). */
  detached(reason?: string): void;
  /** The attach failed; `retryable`: a later link may succeed. */
  failed(reason: string, retryable: boolean): void;
}

export interface Attachment {
  /** A new authenticated link is up: attach over it and report through `link`. */
  attach(conn: Connection, link: AttachLink): void;
  /** The link is gone or being dropped: forget its channels (no more I/O on them). */
  linkDropped(): void;
  /** The link answered again after doubt, without a re-dial. */
  linkBack?(): void;
}

/** `-N`: nothing to attach; the session is "attached" as soon as the link is up. */
export const tunnelOnly: Attachment = {
  attach: (_conn, link) => link.attached(),
  linkDropped: () => undefined,
};
