/**
 * The editing rules of a prompt typed on a raw terminal, as a pure state machine: bytes
 * in, what to echo and whether the line is finished out. Raw mode because we must read the
 * keys ourselves (no echo for secrets), so line editing is ours too. The rules follow what
 * a cooked tty and OpenSSH's readpassphrase give: Enter ends, Backspace/DEL erases one
 * character, Ctrl-U the line, Ctrl-W a word, Ctrl-C interrupts, Ctrl-D on an empty line is
 * end of input; arrow keys and other escape sequences are ignored, not typed.
 */
import { StringDecoder } from 'node:string_decoder';

export type EditorResult =
  | { kind: 'more'; echo: string }
  | { kind: 'done'; echo: string; line: string; rest: Buffer }
  | { kind: 'interrupted'; echo: string }
  | { kind: 'eof'; echo: string };

const ERASE_ONE = '\b \b';

export class LineEditor {
  private chars: string[] = [];
  private readonly decoder = new StringDecoder('utf8');
  /** inside an escape sequence: 'esc' after ESC, 'csi' after ESC [ or ESC O. */
  private seq: 'none' | 'esc' | 'csi' = 'none';

  /** `echo`: show typed characters (a visible line) or nothing at all (a secret). */
  constructor(private readonly echo: boolean) {}

  get text(): string {
    return this.chars.join('');
  }

  feed(input: Buffer): EditorResult {
    let out = '';
    for (let i = 0; i < input.length; i++) {
      const b = input[i]!;
      if (this.seq !== 'none') {
        this.skipSequence(b);
        continue;
      }
      switch (b) {
        case 0x0d:
        case 0x0a:
          return { kind: 'done', echo: out + '\r\n', line: this.text, rest: input.subarray(i + 1) };
        case 0x03: // Ctrl-C
          return { kind: 'interrupted', echo: out + '^C\r\n' };
        case 0x04: // Ctrl-D: end of input on an empty line, ignored otherwise (as a tty does)
          if (this.chars.length === 0) return { kind: 'eof', echo: out + '\r\n' };
          continue;
        case 0x7f:
        case 0x08: // DEL / Backspace
          if (this.chars.pop() !== undefined) out += this.eraseEcho(1);
          continue;
        case 0x15: {
          // Ctrl-U
          out += this.eraseEcho(this.chars.length);
          this.chars = [];
          continue;
        }
        case 0x17: {
          // Ctrl-W: trailing spaces, then the word before them
          let n = 0;
          while (this.chars.length > 0 && this.chars[this.chars.length - 1] === ' ') {
            this.chars.pop();
            n++;
          }
          while (this.chars.length > 0 && this.chars[this.chars.length - 1] !== ' ') {
            this.chars.pop();
            n++;
          }
          out += this.eraseEcho(n);
          continue;
        }
        case 0x1b:
          this.seq = 'esc';
          continue;
      }
      if (b < 0x20) continue; // other control characters are not part of an answer
      const s = this.decoder.write(input.subarray(i, i + 1));
      for (const ch of s) {
        this.chars.push(ch);
        if (this.echo) out += ch;
      }
    }
    return { kind: 'more', echo: out };
  }

  private eraseEcho(n: number): string {
    return this.echo ? ERASE_ONE.repeat(n) : '';
  }

  private skipSequence(b: number): void {
    if (this.seq === 'esc') {
      // ESC [ and ESC O introduce a sequence; any other byte after ESC ends it (Alt-x).
      this.seq = b === 0x5b || b === 0x4f ? 'csi' : 'none';
      return;
    }
    // CSI parameters and intermediates are 0x20–0x3f; a final byte 0x40–0x7e ends it.
    if (b >= 0x40 && b <= 0x7e) this.seq = 'none';
  }
}
