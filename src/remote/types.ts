/** Shared vocabulary of the remote layer: multiplexers, session names, shim reports. */

import type { MuxName } from '../contracts/mux.js';
export type { MuxChoice, MuxName } from '../contracts/mux.js';
export { SESSION_NAME_RE, isValidSessionName } from '../contracts/session-name.js';

export type ShimErrorCode = 'no-mux' | 'no-session' | 'bad-name' | 'mux-failed' | 'bad-args';

/** One report of the shim, decoded (see report-codec.ts for the wire form). */
export type ShimReport =
  /**
   * Sent before the attach client starts; `others` counts this user's other detached
   * sessions, `expired` names those just ended for being idle too long (SessionIdleExpiry;
   * absent when none): both only at a run's first attach (0 and absent on a re-attach).
   */
  | { t: 'attached'; name: string; mux: MuxName; created: boolean; others: number; expired?: string[] }
  /**
   * Text view (stdout not a terminal): what follows, up to the end report, is the ended
   * session's text (tmux's history and last screen), not the multiplexer's drawing.
   */
  | { t: 'text' }
  /** The session's shell or command ended with `status`; its state is gone. */
  | { t: 'exit'; status: number }
  /** The attach client returned while the session lives on (taken over or detached). */
  | { t: 'detached' }
  /** The session vanished without recording a status (killed from outside). */
  | { t: 'gone' }
  | { t: 'error'; code: ShimErrorCode; message: string; detail?: string }
  /** One line of `list`. `created` is epoch seconds; `command` is '' for a login shell. */
  | {
      t: 'session';
      name: string;
      state: 'attached' | 'detached';
      created: number;
      command: string;
      mux: MuxName;
    }
  | { t: 'killed'; name: string }
  /** Versions of the multiplexers found on the server, null when absent. */
  | { t: 'probe'; tmux: string | null; screen: string | null }
  /** A frame with our marker that could not be decoded (shim/client mismatch): for `-v`. */
  | { t: 'unknown'; raw: string };
