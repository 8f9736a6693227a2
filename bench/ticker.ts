// The "screen moving" probe. A ticker on the server prints a counter and the wall-clock
// time (ms since the epoch) every TICK_MS; client and server share this machine's clock,
// so a line stamped after the fault instant can only have reached the screen through the
// repaired link, never from bytes already in flight when the link was cut.
import type { Terminal } from '../test/harness/terminal.js';
import { sleep } from './stats.js';

/** ms between ticker lines (the brief: "a counter every 20 ms"). */
export const TICK_MS = 20;
/** Lower bound between two screen captures, ms (each capture also costs a tmux process). */
export const POLL_MIN_MS = 5;

/** Typed into the remote shell; perl for sub-ms timestamps without a fork per tick. */
export const TICKER =
  `perl -MTime::HiRes=time,sleep -e '$|=1; for ($i=1;;$i++) { printf "tick %d %.0f\\n", $i, time()*1000; sleep ${TICK_MS / 1000} }'`;

const TICK_LINE = /^tick (\d+) (\d{13})$/gm;

export interface Tick {
  n: number;
  /** Server wall clock when printed, ms since the epoch. */
  stampMs: number;
}

/** The newest ticker line on a screen capture, or undefined. */
export function latestTick(screen: string): Tick | undefined {
  let best: Tick | undefined;
  for (const m of screen.matchAll(TICK_LINE)) {
    const tick = { n: Number(m[1]), stampMs: Number(m[2]) };
    if (!best || tick.n > best.n) best = tick;
  }
  return best;
}

export interface ScreenSeen {
  /** Wall-clock ms (Date.now()) when the capture that first passed the test returned. */
  seenAtMs: number;
  screen: string;
  /** Capture periods observed while waiting, ms (the measurement's granularity). */
  pollGapsMs: number[];
}

/** A screen that showed a ticker line newer than asked for, and that line. */
export interface ScreenWatch extends ScreenSeen {
  tick: Tick;
}

/**
 * Captures `term`'s screen as often as POLL_MIN_MS allows until `test` passes on a capture;
 * after `timeoutMs`, rejects with `failure(last screen)`.
 */
export async function pollScreen(
  term: Terminal,
  test: (screen: string) => boolean,
  timeoutMs: number,
  failure: (screen: string) => string,
): Promise<ScreenSeen> {
  const deadline = Date.now() + timeoutMs;
  const gaps: number[] = [];
  let last = '';
  let prevStart: number | undefined;
  for (;;) {
    const started = performance.now();
    if (prevStart !== undefined) gaps.push(started - prevStart);
    prevStart = started;
    last = await term.screen();
    const seenAtMs = Date.now();
    if (test(last)) return { seenAtMs, screen: last, pollGapsMs: gaps };
    if (seenAtMs > deadline) throw new Error(`${failure(last)}\nscreen was:\n${last}`);
    const spent = performance.now() - started;
    if (spent < POLL_MIN_MS) await sleep(POLL_MIN_MS - spent);
  }
}

/**
 * Polls `term` until a ticker line stamped later than `afterMs` is on screen. Resolves
 * with when it was seen; rejects after `timeoutMs`.
 */
export async function waitForTickAfter(term: Terminal, afterMs: number, timeoutMs: number): Promise<ScreenWatch> {
  const fresh = (screen: string) => {
    const tick = latestTick(screen);
    return tick !== undefined && tick.stampMs > afterMs;
  };
  const seen = await pollScreen(term, fresh, timeoutMs, (screen) => {
    const tick = latestTick(screen);
    return `the screen did not move within ${timeoutMs} ms (last tick: ${tick ? tick.n : 'none'})`;
  });
  return { ...seen, tick: latestTick(seen.screen) as Tick };
}

/** Starts the ticker at a shell prompt in `term` and waits until it is visibly ticking. */
export async function startTicker(term: Terminal, timeoutMs = 15_000): Promise<void> {
  await term.type(TICKER);
  await term.press('Enter');
  await waitForTickAfter(term, Date.now(), timeoutMs);
}
