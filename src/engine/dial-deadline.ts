/**
 * A re-dial raced against the give-up deadline. The policy is asked only between attempts,
 * and one attempt into a black hole waits out its connect deadline (5 s) or auth deadline
 * (10 s): without this race `--give-up-after 2s` would end the session seconds late.
 */
import type { Connection } from '../transport/connection.js';
import type { Clock } from '../platform/clock.js';

export class DialDeadlinePassed extends Error {
  constructor() {
    super('no link before the give-up deadline');
  }
}

/**
 * The dial's link, or a DialDeadlinePassed rejection after `ms` (undefined: no deadline).
 * A link that arrives after the deadline is closed: nobody will use it.
 */
export function dialWithin(dial: Promise<Connection>, clock: Clock, ms: number | undefined): Promise<Connection> {
  if (ms === undefined) return dial;
  return new Promise<Connection>((resolve, reject) => {
    let late = false;
    const timer = clock.setTimeout(() => {
      late = true;
      reject(new DialDeadlinePassed());
    }, ms);
    dial.then(
      (conn) => {
        clock.clearTimeout(timer);
        if (late) conn.destroy('dialed after the give-up deadline');
        else resolve(conn);
      },
      (err: unknown) => {
        clock.clearTimeout(timer);
        reject(err);
      },
    );
  });
}
