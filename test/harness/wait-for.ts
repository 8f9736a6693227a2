// Condition waits for tests: poll a predicate until it holds or a deadline passes.
// Tests must never sleep "long enough"; they wait for the thing they need and fail with
// a message naming it, so a red test says what did not happen instead of just "timeout".

/** Default patience for one condition (ms): generous for a loaded 2-core CI machine. */
export const DEFAULT_WAIT_TIMEOUT_MS = 10_000;
/** Default polling period (ms): fast enough not to slow tests, slow enough not to spin. */
export const DEFAULT_WAIT_INTERVAL_MS = 25;

export interface WaitForOptions {
  /** Give up after this many milliseconds. */
  timeoutMs?: number;
  /** Poll every this many milliseconds. */
  intervalMs?: number;
  /** Human words for the condition, used in the error ("sshd to listen on 127.0.0.1:2222"). */
  what: string;
  /** Extra diagnostics appended to the error (e.g. a log tail), computed only on failure. */
  detail?: () => string | Promise<string>;
}

export class WaitTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaitTimeoutError';
  }
}

/**
 * Polls `predicate` until it returns a value other than `false`, `undefined` or `null`,
 * and resolves with that value. A predicate that throws is treated as "not yet"; the
 * last thrown error is quoted if the wait times out.
 */
export async function waitFor<T>(
  predicate: () => T | false | undefined | null | Promise<T | false | undefined | null>,
  opts: WaitForOptions,
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const intervalMs = opts.intervalMs ?? DEFAULT_WAIT_INTERVAL_MS;
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value !== false && value !== undefined && value !== null) return value;
    } catch (err) {
      lastError = err;
    }
    const elapsed = Date.now() - started;
    if (elapsed >= timeoutMs) {
      let message = `timed out after ${elapsed} ms waiting for ${opts.what}`;
      if (lastError !== undefined) message += `\nlast error: ${errorText(lastError)}`;
      if (opts.detail) {
        try {
          message += `\n${await opts.detail()}`;
        } catch (err) {
          message += `\n(detail failed: ${errorText(err)})`;
        }
      }
      throw new WaitTimeoutError(message);
    }
    await delay(Math.min(intervalMs, timeoutMs - elapsed));
  }
}

/**
 * Races a promise against a deadline, rejecting with a message naming `what`.
 * The timer is cleared either way so it never keeps the process alive.
 */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

// Only used between polls of waitFor, never as synchronisation by itself.
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
