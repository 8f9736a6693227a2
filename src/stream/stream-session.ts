/**
 * Stream mode, client side (docs/BEHAVIOUR.md §2): a command without a terminal whose
 * stdout, stderr and stdin cross any number of broken links exactly once. The command
 * runs detached on the server (the stream script); this side keeps three offsets —
 * stdout and stderr bytes written locally, stdin bytes confirmed by the server — and on
 * every (re)attach asks for output from its offsets and resends stdin from the server's.
 * One exec per attach. Dialing, liveness, backoff and give-up are the engine's
 * (engine/engine.ts), as for a shell; this file is what "attach" means for a stream.
 */
import { StaysshError } from '../errors.js';
import { Engine } from '../engine/engine.js';
import { systemClock } from '../platform/clock.js';
import { InterruptRelay } from './interrupt.js';
import { listenLocal } from './output-relay.js';
import { runControl, signalCommand } from './stream-commands.js';
import { StreamAttachment } from './stream-attachment.js';
import { CONTROL_TIMEOUT_MS, type StreamOptions } from './stream-options.js';

export type { StreamEvent, StreamOptions } from './stream-options.js';

/**
 * Runs the command in stream mode; resolves with the exit status for the process. A first
 * login that fails rejects with a StaysshError (one line, exit 255).
 */
export async function runStream(o: StreamOptions): Promise<number> {
  const clock = o.clock ?? systemClock;
  const cleanups: Array<() => void> = [];
  const attachment = new StreamAttachment(o, clock, {
    detach: (reason) => engine.detach(reason),
    quit: (code, reason) => engine.quit(code, reason),
  });
  const engine = new Engine({
    connector: o.connector,
    attachment,
    liveness: o.liveness,
    retry: o.retry,
    firstLoginWindowMs: o.firstLoginWindowMs,
    clock,
    // Local stdin that is a terminal is read from the first link on: a first login that
    // fails leaves it unread, and a password prompt meanwhile has the terminal to itself.
    onEvent: (e) => {
      if (e.event === 'connected' && !wired) wireLocal();
      o.onEvent(e);
    },
    linkHooks: o.linkHooks,
    watchNetwork: o.watchNetwork,
    seed: o.seed,
    debug: o.debug,
  });
  const interrupts = new InterruptRelay(clock, {
    forward: () => {
      const conn = engine.connection;
      if (!conn) return o.warn('stayssh: link down, Ctrl-C not sent');
      runControl(conn, signalCommand(o.name, 'INT'), CONTROL_TIMEOUT_MS).catch(() => o.warn('stayssh: Ctrl-C could not be sent'));
    },
    leave: () => attachment.leave(engine.connection),
  });
  let wired = false;
  let stdinWired = false;
  // stdin that is not a terminal (a file, a pipe, /dev/null) is read from the start, while
  // the login runs: when it ends before the first attach (an empty or a small input), the
  // attach carries its EOF, and no control round trip is needed to declare it later.
  const wireStdin = (): void => {
    stdinWired = true;
    cleanups.push(
      listenLocal(o, {
        data: (chunk) => attachment.stdinData(chunk),
        end: () => attachment.stdinEnd(),
        outputError: (err) => attachment.localOutputFailed(err, engine.connection),
      }),
    );
  };
  if ((o.stdin as { isTTY?: boolean }).isTTY !== true) wireStdin();
  const wireLocal = (): void => {
    wired = true;
    if (!stdinWired) wireStdin();
    if (o.onInterrupt) cleanups.push(o.onInterrupt(() => interrupts.interrupt()));
    if (o.onTerminate) cleanups.push(o.onTerminate(() => attachment.leave(engine.connection)));
  };

  const result = await engine.run();
  attachment.dispose();
  interrupts.dispose();
  for (const c of cleanups.splice(0)) c();
  if (!result.wasUp) throw new StaysshError(result.reason);
  if (attachment.left) {
    o.warn(`stayssh: left stream session ${o.name}; the command keeps running on the server${resumeHint(o)}`);
  } else if (result.resumable) {
    o.warn(`stayssh: ${result.reason}; stream session ${o.name} keeps running on the server${resumeHint(o)}`);
  } else if (result.code === 255 && result.reason !== 'remote exited' && result.reason !== 'hung up') {
    o.warn(`stayssh: ${result.reason}`);
  }
  return result.code;
}

function resumeHint(o: StreamOptions): string {
  return o.resumeCommand === undefined ? '' : `; resume with: ${o.resumeCommand}`;
}
