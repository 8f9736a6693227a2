/**
 * OpenSSH's escape sequences (docs/BEHAVIOUR.md §4), recognised in the bytes the user types, with the
 * same rules as ssh's clientloop.c process_escapes():
 *
 * - the escape character counts only right after CR or LF, or as the very first byte;
 * - it is swallowed and held until the next byte decides (so a lone `~` at the end of a
 *   chunk is not sent yet, just as ssh does not echo it until the next key);
 * - `~.` `~^Z` `~#` `~?` `~R` are commands; `~~` sends one `~`; `~` + anything else sends
 *   both bytes;
 * - a command leaves the "after a newline" state as it was, so `~?` then `~.` works without
 *   an Enter in between; a literal `~~` or `~x` does not.
 *
 * Pure and streaming: push() bytes in, get data and commands out in order.
 */
import { StaysshError } from '../errors.js';

export type EscapeCommand = 'detach' | 'suspend' | 'list-forwards' | 'help' | 'redial';

export type EscapeEvent = { kind: 'data'; data: Buffer } | { kind: 'command'; command: EscapeCommand };

/**
 * An ESC sequence in the typed bytes, followed so that the terminal's own answers do not
 * count as typing. On every (re)attach tmux asks the terminal who it is (DA2, XTVERSION),
 * and the answers (`ESC[>84;0;0c`, `ESC P>|tmux 3.3a ESC\\`) arrive as input, between the
 * user's Enter and `~.`: counted as typing, they made `~.` reach the shell right after
 * every reattach. A string (DCS, OSC, APC, PM, SOS) or a CSI with a private marker
 * (`<=>?`), or a bare focus report (`ESC[I`, `ESC[O`), is such an answer and leaves the
 * "after a newline" state as it was; any other sequence is a key (an arrow, F5) and, as
 * in ssh, ends it.
 */
interface Sequence {
  state: 'esc' | 'csi' | 'ss3' | 'string' | 'string-esc';
  /** atLineStart when the sequence began. */
  lineStart: boolean;
  privateMarker: boolean;
  params: boolean;
}

const ESC = 0x1b;
const BEL = 0x07;

/** The escape character: a byte, or 'none' to disable escapes altogether. */
export type EscapeChar = number | 'none';

const CR = 0x0d;
const LF = 0x0a;
/** Default escape character, as in ssh. */
export const DEFAULT_ESCAPE_CHAR = 0x7e; // '~'

const COMMANDS: ReadonlyMap<number, EscapeCommand> = new Map<number, EscapeCommand>([
  [0x2e, 'detach'], //        '.'
  [0x1a, 'suspend'], //       ^Z
  [0x23, 'list-forwards'], // '#'
  [0x3f, 'help'], //          '?'
  [0x52, 'redial'], //        'R' (ssh: rekey; for us a manual reconnect)
]);

export class EscapeParser {
  private readonly esc: number | undefined;
  /** the previous byte sent was CR or LF (true at the start of the session). */
  private atLineStart = true;
  /** an escape character was swallowed and awaits the next byte. */
  private held = false;
  /** an ESC sequence is passing through (it may span chunks). */
  private sequence: Sequence | undefined;

  /** `escapeChar`: a one-byte string, a byte value, or 'none'. */
  constructor(escapeChar: string | number | 'none' = DEFAULT_ESCAPE_CHAR) {
    this.esc = escapeChar === 'none' ? undefined : typeof escapeChar === 'number' ? checkByte(escapeChar) : checkByte(parseEscapeCharOption(escapeChar));
  }

  /** True while an escape character is held back waiting for the next byte. */
  get pending(): boolean {
    return this.held;
  }

  /**
   * Splits `input` into data to send and commands to run, in order. Data buffers may share
   * memory with `input`; adjacent data is merged, empty data is never emitted.
   */
  push(input: Buffer): EscapeEvent[] {
    const esc = this.esc;
    if (esc === undefined) return input.length > 0 ? [{ kind: 'data', data: input }] : [];
    const events: EscapeEvent[] = [];
    let run: Buffer[] = [];
    let segStart = 0;
    const flushSegment = (end: number): void => {
      if (end > segStart) run.push(input.subarray(segStart, end));
    };
    const flushRun = (): void => {
      if (run.length === 0) return;
      events.push({ kind: 'data', data: run.length === 1 ? run[0]! : Buffer.concat(run) });
      run = [];
    };

    for (let i = 0; i < input.length; i++) {
      const ch = input[i]!;
      // Inside an escape sequence (a key like an arrow, or the terminal answering the
      // session's query): passed on as it is, and only a key ends "after a newline".
      if (this.sequence !== undefined) {
        this.sequence = this.advanceSequence(this.sequence, ch);
        continue;
      }
      if (this.held) {
        this.held = false;
        const command = COMMANDS.get(ch);
        if (command !== undefined) {
          flushRun();
          events.push({ kind: 'command', command });
          segStart = i + 1;
          continue; // atLineStart unchanged, as in ssh
        }
        if (ch !== esc) run.push(Buffer.of(esc));
        this.atLineStart = false;
      } else if (this.atLineStart && ch === esc) {
        flushSegment(i);
        segStart = i + 1;
        this.held = true;
        continue;
      }
      if (ch === ESC) {
        this.sequence = { state: 'esc', lineStart: this.atLineStart, privateMarker: false, params: false };
        continue;
      }
      this.atLineStart = ch === CR || ch === LF;
    }
    flushSegment(input.length);
    flushRun();
    return events;
  }

  /** One more byte of an ESC sequence; undefined once it has ended (atLineStart set then). */
  private advanceSequence(q: Sequence, ch: number): Sequence | undefined {
    const answer = (): undefined => {
      this.atLineStart = q.lineStart;
      return undefined;
    };
    const key = (): undefined => {
      this.atLineStart = false;
      return undefined;
    };
    switch (q.state) {
      case 'esc':
        if (ch === 0x5b) return { ...q, state: 'csi' }; // [
        if (ch === 0x4f) return { ...q, state: 'ss3' }; // O: a key (F1, keypad)
        if (ch === 0x50 || ch === 0x5d || ch === 0x5f || ch === 0x5e || ch === 0x58) return { ...q, state: 'string' }; // P ] _ ^ X
        return key(); // Alt+key
      case 'ss3':
        return key();
      case 'csi':
        if (!q.params && !q.privateMarker && ch >= 0x3c && ch <= 0x3f) return { ...q, privateMarker: true };
        if (ch >= 0x40 && ch <= 0x7e) return q.privateMarker || (!q.params && (ch === 0x49 || ch === 0x4f)) ? answer() : key();
        return { ...q, params: true };
      case 'string':
        if (ch === BEL) return answer();
        return ch === ESC ? { ...q, state: 'string-esc' } : q;
      case 'string-esc':
        return ch === 0x5c ? answer() : { ...q, state: 'string' }; // ESC \ ends it
    }
  }
}

/**
 * `-e` / EscapeChar, as ssh reads it: `none`; a single ASCII character; or `^X` for a
 * control character (X in @ A–Z [ \ ] ^ _ and lowercase, i.e. byte 64–127 masked to 0–31).
 */
export function parseEscapeCharOption(s: string): number | 'none' {
  if (s === 'none') return 'none';
  if (s.length === 2 && s[0] === '^') {
    const c = s.charCodeAt(1);
    if (c >= 64 && c < 128) return c & 31;
  }
  if (s.length === 1 && s.charCodeAt(0) < 128) return s.charCodeAt(0);
  throw new StaysshError(`bad escape character '${s}' (expected a single character, ^X or none)`);
}

/** How an escape character is shown to a person: `~`, or `^Z` for control characters. */
export function showEscapeChar(escapeChar: string | number | 'none'): string {
  if (escapeChar === 'none') return 'none';
  // A string is taken as typed in -e / EscapeChar (`~`, `^]`).
  const b = typeof escapeChar === 'number' ? escapeChar : parseEscapeCharOption(escapeChar);
  if (b === 'none') return 'none';
  if (b < 32) return '^' + String.fromCharCode(b + 64);
  if (b === 127) return '^?';
  return String.fromCharCode(b);
}

/**
 * The `~?` text, like ssh's, with the real escape character. Lines end in CRLF because the
 * terminal is in raw mode when it is shown.
 */
export function helpText(escapeChar: string | number | 'none'): string {
  const e = showEscapeChar(escapeChar);
  const lines = [
    'Supported escape sequences:',
    ` ${e}.   - detach and exit (the session stays resumable on the server)`,
    ` ${e}R   - re-dial now (reconnect and reattach)`,
    ` ${e}^Z  - suspend stayssh`,
    ` ${e}#   - list forwarded connections`,
    ` ${e}?   - this message`,
    ` ${e}${e}   - send the escape character by typing it twice`,
    '(Note that escapes are only recognized immediately after newline.)',
  ];
  return lines.map((l) => l + '\r\n').join('');
}

function checkByte(b: number | 'none'): number {
  if (b === 'none' || !Number.isInteger(b) || b < 0 || b > 127) throw new StaysshError(`bad escape character ${String(b)}`);
  return b;
}
