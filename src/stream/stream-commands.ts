/**
 * Command lines for the stream script's operations, every argument quoted (docs/BEHAVIOUR.md §7), and
 * a helper that runs a short control operation on its own exec channel.
 */
import { shQuote } from '../remote/quote.js';
import type { Connection } from '../transport/connection.js';
import { STREAM_SCRIPT } from './stream-script.js';

function scriptCall(op: string, args: readonly (string | number)[]): string {
  return `exec sh -c ${shQuote(STREAM_SCRIPT)} stayssh-stream ${[op, ...args].map((a) => shQuote(String(a))).join(' ')}`;
}

export interface AttachArgs {
  name: string;
  /**
   * Bytes of stdout / stderr already written locally: resume from there, free before.
   * 'acknowledged': this client has written nothing yet, so a session that exists already
   * (another client's) is joined where that client left it.
   */
  from: { outOffset: number; errOffset: number } | 'acknowledged';
  /** Total stdin length when local stdin has ended. */
  eofAt: number | undefined;
  /** Create and start the session if it does not exist (until an attach has succeeded). */
  create: boolean;
  command: string;
}

export function attachCommand(a: AttachArgs): string {
  const [out, err] = a.from === 'acknowledged' ? [-1, -1] : [a.from.outOffset, a.from.errOffset];
  if (!a.create) return scriptCall('attach', [a.name, out, err, a.eofAt ?? -1, 0, '', '']);
  // A creating attach needs the script as its 8th argument (the detached runner re-runs
  // it), so the script travels once: evaluated from there instead of sent again as the
  // `sh -c` text. It is ~15 KB; twice made the exec request of every new stream ~30 KB.
  const args = ['attach', a.name, out, err, a.eofAt ?? -1, 1, a.command, STREAM_SCRIPT];
  return `exec sh -c 'eval "$8"' stayssh-stream ${args.map((x) => shQuote(String(x))).join(' ')}`;
}

/** Acknowledge output, declare stdin EOF; answers `in=N` (stdin bytes in the spool). */
export function ctlCommand(name: string, outOffset: number, errOffset: number, eofAt: number | undefined): string {
  return scriptCall('ctl', [name, outOffset, errOffset, eofAt ?? -1]);
}

/** ctl as a conversation (see control-line.ts): `OUT ERR EOF` lines in, `in=N` lines out. */
export function ctldCommand(name: string): string {
  return scriptCall('ctld', [name]);
}

/** One question on a ctld channel (numbers only: nothing else reaches the remote shell). */
export function ctldRequest(outOffset: number, errOffset: number, eofAt: number | undefined): string {
  return `${outOffset} ${errOffset} ${eofAt ?? -1}\n`;
}

/** Send a signal (name without SIG, e.g. INT) to the command's process group. */
export function signalCommand(name: string, signal: string): string {
  return scriptCall('signal', [name, signal]);
}

/** The local reader went away (`| head`): cut the command's pipes as sshd would. */
export function hangupCommand(name: string): string {
  return scriptCall('hangup', [name]);
}

/** Everything was delivered: remove the session directory. */
export function finCommand(name: string): string {
  return scriptCall('fin', [name]);
}

export function streamListCommand(): string {
  return scriptCall('list', []);
}

/** Ends stream session NAME; with `detachedOnly`, not while a client is attached to it. */
export function streamKillCommand(name: string, detachedOnly = false): string {
  return scriptCall('kill', detachedOnly ? [name, 'detached'] : [name]);
}

export interface ControlResult {
  stdout: string;
  code: number | undefined;
}

/**
 * Runs one control operation and collects its stdout. Rejects when the link fails or the
 * deadline passes (the caller decides whether that matters).
 */
export function runControl(conn: Connection, command: string, timeoutMs: number): Promise<ControlResult> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`remote control operation timed out after ${timeoutMs} ms`)), timeoutMs);
    conn.exec(command).then(
      (ch) => {
        let out = '';
        let code: number | undefined;
        ch.on('data', (d: Buffer) => (out += d.toString('utf8')));
        ch.stderr.resume();
        ch.on('exit', (c: unknown) => {
          if (typeof c === 'number') code = c;
        });
        ch.on('close', () => {
          clearTimeout(timer);
          resolve({ stdout: out, code });
        });
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/**
 * Starts one control operation and resolves once the server has accepted it (the exec
 * request answered: sshd has forked it), without waiting for its output. For `fin`
 * after the last byte: the removal then runs on the server while we exit (sshd neither
 * signals nor waits for a pty-less command when the connection closes), which takes
 * its shell start-up and `rm` off the wall time of every stream command (~20 ms here).
 */
export function startControl(conn: Connection, command: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`remote control operation not accepted within ${timeoutMs} ms`)), timeoutMs);
    conn.exec(command).then(
      (ch) => {
        clearTimeout(timer);
        ch.resume();
        ch.stderr.resume();
        resolve();
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** `in=N` from ctl (its stdout) or ctld (one answer line): N, or undefined for anything else. */
export function parseInSize(stdout: string): number | undefined {
  const m = /^in=(\d+)$/m.exec(stdout);
  return m?.[1] !== undefined ? Number(m[1]) : undefined;
}
