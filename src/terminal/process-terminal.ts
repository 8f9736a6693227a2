/** The TerminalPort of the real process: stdin in raw mode, SIGWINCH, ^Z suspend. */
import type { TerminalPort } from '../contracts/terminal-port.js';
import { enterRawMode, suspendSelf } from './raw-mode.js';
import { currentSize, onResize } from './window-size.js';

export interface ProcessTerminal extends TerminalPort {
  /** Restores the terminal; idempotent, also run on every exit path by raw-mode.ts. */
  dispose(): void;
}

export function processTerminal(): ProcessTerminal {
  const stdin = process.stdin;
  const stdout = process.stdout;
  const restore = stdin.isTTY ? enterRawMode(stdin) : () => undefined;
  const disposers: Array<() => void> = [];
  return {
    stderr: process.stderr,
    onInput(listener) {
      stdin.on('data', listener);
      stdin.resume();
      disposers.push(() => stdin.off('data', listener));
    },
    onResize(listener) {
      disposers.push(onResize(stdout, listener));
    },
    size: () => currentSize(stdout),
    write(data) {
      stdout.write(data);
    },
    suspend() {
      // Give the shell its terminal back, stop, and take raw mode again when continued.
      if (stdin.isTTY) void suspendSelf(stdin);
    },
    dispose() {
      for (const d of disposers) d();
      restore();
      stdin.pause();
    },
  };
}
