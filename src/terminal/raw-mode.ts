/**
 * Raw mode for the local terminal, and the promise that it is undone however we leave:
 * a normal exit, an uncaught error (Node still emits 'exit'), or a signal. A terminal left
 * raw after a crash shows no echo and no line editing, and the user has to type `reset`
 * blind; that must never be our doing.
 *
 * Signals follow tsx's relaySignals: restore the terminal, then, if nobody else handles the
 * signal, die of it (re-raised with the default action) so the parent shell sees the real
 * cause; exit 128+signal if the re-raise does not kill us (signal ignored by our parent).
 */
import { constants } from 'node:os';

export const RESTORE_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
type RestoreSignal = (typeof RESTORE_SIGNALS)[number];

/** The terminal side: tty.ReadStream fits. */
export interface RawModeInput {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/** The process side, injectable for tests: `process` fits. */
export interface ProcessLike {
  readonly pid: number;
  on(event: string, listener: () => void): unknown;
  removeListener(event: string, listener: () => void): unknown;
  listenerCount(event: string): number;
  kill(pid: number, signal: string): unknown;
  exit(code: number): never | void;
}

/**
 * Puts `stdin` in raw mode and returns restore(): idempotent, safe to call from any exit
 * path, and also run on process 'exit' and on SIGINT/SIGTERM/SIGHUP/SIGQUIT. Not a TTY:
 * nothing to do, restore() is a no-op.
 */
export function enterRawMode(stdin: RawModeInput, proc: ProcessLike = process): () => void {
  if (!stdin.isTTY || typeof stdin.setRawMode !== 'function') return () => {};
  const wasRaw = stdin.isRaw === true;
  stdin.setRawMode(true);

  const handlers = new Map<RestoreSignal, () => void>();
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    proc.removeListener('exit', restore);
    for (const [sig, h] of handlers) proc.removeListener(sig, h);
    try {
      stdin.setRawMode?.(wasRaw);
    } catch {
      // The terminal is gone (SIGHUP after the window closed): nothing left to restore.
    }
  };

  for (const sig of RESTORE_SIGNALS) {
    const onSignal = (): void => {
      restore(); // also removes this handler
      // Someone else listens (the supervisor detaching cleanly, say): let them decide.
      if (proc.listenerCount(sig) > 0) return;
      reraise(proc, sig);
    };
    handlers.set(sig, onSignal);
    proc.on(sig, onSignal);
  }
  proc.on('exit', restore);
  return restore;
}

/** Dies of `sig` with the default action, or exits 128+signal if that does not kill us. */
export function reraise(proc: ProcessLike, sig: string): void {
  const num = (constants.signals as Record<string, number | undefined>)[sig] ?? 0;
  try {
    proc.kill(proc.pid, sig);
  } catch {
    // fall through to exit
  }
  proc.exit(128 + num);
}

/**
 * `~^Z`: give the terminal back cooked, stop ourselves as the shell's Ctrl-Z would, and go
 * raw again when continued (`fg`). Resolves after SIGCONT. Not a TTY: resolves at once.
 */
export function suspendSelf(stdin: RawModeInput, proc: ProcessLike = process): Promise<void> {
  if (!stdin.isTTY || typeof stdin.setRawMode !== 'function') return Promise.resolve();
  return new Promise<void>((resolve) => {
    const wasRaw = stdin.isRaw === true;
    const onCont = (): void => {
      proc.removeListener('SIGCONT', onCont);
      try {
        stdin.setRawMode?.(wasRaw);
      } catch {
        // terminal gone while stopped; the caller will notice on its next read
      }
      resolve();
    };
    proc.on('SIGCONT', onCont);
    try {
      stdin.setRawMode?.(false);
    } catch {
      // same as above
    }
    // SIGTSTP with no handler installed stops the process (default action).
    proc.kill(proc.pid, 'SIGTSTP');
  });
}
