/**
 * Seams between a session and the features that ride on its links: forwards that must
 * follow every new connection (issue 5), and watchers that signal a network change or a
 * wake from sleep (issue 6). Interactive and stream sessions call them the same way.
 */
import type { Connection } from './connection.js';

export interface LinkHooks {
  /** A new authenticated connection is up (first dial and every re-dial). */
  up(conn: Connection): void;
  /** The current connection is gone; a re-dial may follow. */
  down(): void;
  /** Lines for the `~#` escape: open forwarded connections. */
  describe?(): string[];
}

/** Starts watching; calls `onChange` with a reason when the network changed. Returns a stop. */
export type NetworkWatch = (onChange: (reason: string) => void) => () => void;
