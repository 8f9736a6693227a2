/**
 * `-N`: no remote command, only forwards, and like every stayssh link it comes back:
 * dial, hand the link to the forward manager, watch liveness (any byte is life), and on
 * loss re-dial under the same policy as sessions until the policy gives up (255).
 * Runs until killed, as `ssh -N` does.
 */
import type { Clock } from '../platform/clock.js';
import { systemClock } from '../platform/clock.js';
import type { ReconnectPolicy } from '../contracts/events.js';
import type { LinkHooks } from '../contracts/link-hooks.js';
import { LivenessMonitor } from '../engine/liveness.js';
import { redial } from '../stream/redial.js';
import type { StreamEvent } from '../stream/stream-session.js';
import type { Connection } from '../transport/connection.js';
import type { Connector } from '../transport/connector.js';

export interface ForwardOnlyOptions {
  connector: Connector;
  hooks: LinkHooks;
  liveness: { intervalMs: number; countMax: number };
  policy: ReconnectPolicy;
  onEvent(e: StreamEvent): void;
  warn(text: string): void;
  clock?: Clock;
}

/** Resolves with the exit status (255 when the policy gave up or a re-dial cannot succeed). */
export async function runForwardOnly(o: ForwardOnlyOptions): Promise<number> {
  const clock = o.clock ?? systemClock;
  let conn: Connection | undefined = await o.connector.dial(true); // First failure: the caller's (255).
  let finish!: (code: number) => void;
  const done = new Promise<number>((resolve) => (finish = resolve));
  let ended = false;
  const liveness = new LivenessMonitor(clock, o.liveness, {
    probe: () => conn?.ping(),
    dead: (silentMs) => conn?.destroy(`no reply from the server for ${Math.round(silentMs / 1000)}s`),
  });

  const end = (code: number, warning?: string) => {
    if (ended) return;
    ended = true;
    liveness.stop();
    if (warning) o.warn(warning);
    finish(code);
  };

  const lost = (reason: string) => {
    liveness.stop();
    conn = undefined;
    o.hooks.down();
    o.onEvent({ event: 'disconnected', reason });
    redial({ connector: o.connector, policy: o.policy, clock, downSince: clock.now(), reason, isDone: () => ended, onEvent: o.onEvent }).then(
      (next) => {
        if (next === undefined) return end(255, 'stayssh: gave up reconnecting');
        if (ended) return next.end();
        adopt(next);
      },
      (err: unknown) => end(255, `stayssh: ${(err as Error).message}`),
    );
  };

  const adopt = (c: Connection) => {
    conn = c;
    o.hooks.up(c);
    c.onBytes(() => liveness.onBytesReceived());
    c.onClose((reason) => {
      if (conn === c) lost(reason);
    });
    liveness.start();
  };

  o.onEvent({ event: 'connected' });
  adopt(conn);
  return done;
}
