/**
 * Takes the shim's report frames out of a byte stream (the pty channel of an attach, or
 * the plain output of list/kill/probe) and hands back everything else untouched.
 *
 * Frames may be split across chunks at any byte. Only bytes that could still be the start
 * of a frame are held back: a tail that is a prefix of `ESC ] 7777;stayssh;`, or a frame
 * whose BEL has not arrived yet. Everything else goes out at once, so interactive output
 * is never delayed by the filter.
 *
 * Malformed frames: a sequence that matches the marker but holds a control byte (e.g. an
 * ESC or newline) before its BEL, or runs past MAX_FRAME_BYTES, is not ours and passes
 * through as output, byte for byte. A well-framed payload that does not decode becomes an
 * `unknown` report (never output: it is ours, and the user must not see it).
 *
 * Bound to an attach (a nonce given): every frame after the first must carry the nonce
 * as `n`; one that does not was written by something else in the session
 * (docs/BEHAVIOUR.md §7). It is dropped: no report, and no output either, as a terminal
 * would show nothing of an unknown OSC. The first frame (`attached`, or an error) is the
 * shim's by its place: written on a fresh channel before the multiplexer has the
 * terminal, and before the shim has read the nonce.
 */
import { REPORT_END, REPORT_PREFIX, decodeFields, decodeReport } from './report-codec.js';
import type { ShimReport } from './types.js';

/** Longest frame we wait for; real ones are < 1 KiB (a list line with a long command). */
export const MAX_FRAME_BYTES = 64 * 1024;

const ESC = 0x1b;
const EMPTY = Buffer.alloc(0);

export interface FilterResult {
  output: Buffer;
  reports: ShimReport[];
}

export class ReportFilter {
  private held: Buffer = EMPTY;
  /** Frames dropped for want of the nonce, for `-v`. */
  forged = 0;
  private frames = 0;

  /** `nonce`: the attach's secret every frame must carry as `n`; absent: no check. */
  constructor(private readonly nonce?: string) {}

  push(chunk: Buffer): FilterResult {
    const out: Buffer[] = [];
    const reports: ShimReport[] = [];
    for (const part of this.pushInOrder(chunk)) {
      if (Buffer.isBuffer(part)) out.push(part);
      else reports.push(part);
    }
    return { output: out.length === 1 ? out[0]! : Buffer.concat(out), reports };
  }

  /**
   * The same, in the order the bytes came: output and reports interleaved, so a caller
   * can tell which output came before a report and which after it.
   */
  pushInOrder(chunk: Buffer): Array<Buffer | ShimReport> {
    const data = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = EMPTY;
    const parts: Array<Buffer | ShimReport> = [];
    const output = (from: number, to: number) => {
      if (to > from) parts.push(data.subarray(from, to));
    };
    let emitted = 0; // data[emitted..] not yet handed out
    let i = data.indexOf(ESC);
    while (i !== -1) {
      const verdict = this.frameAt(data, i);
      if (verdict === 'partial') {
        output(emitted, i);
        this.held = Buffer.from(data.subarray(i)); // copy: the caller may reuse its chunk
        emitted = data.length;
        break;
      }
      if (typeof verdict === 'number') {
        output(emitted, i);
        const payload = data.subarray(i + REPORT_PREFIX.length, verdict).toString('latin1');
        const report = this.admit(payload);
        if (report) parts.push(report);
        emitted = verdict + 1;
        i = data.indexOf(ESC, emitted);
        continue;
      }
      i = data.indexOf(ESC, i + 1);
    }
    output(emitted, data.length);
    return parts;
  }

  /** Bytes still held back (an unfinished frame at end of stream): they are output. */
  flush(): Buffer {
    const rest = this.held;
    this.held = EMPTY;
    return rest;
  }

  private admit(payload: string): ShimReport | undefined {
    const first = this.frames++ === 0;
    if (this.nonce !== undefined && !first && decodeFields(payload)?.get('n') !== this.nonce) {
      this.forged++;
      return undefined;
    }
    return decodeReport(payload);
  }

  /**
   * What starts at data[i] (an ESC): the index of the closing BEL of a complete frame,
   * 'partial' if it may still become one, 'no' if it cannot.
   */
  private frameAt(data: Buffer, i: number): number | 'partial' | 'no' {
    const avail = data.length - i;
    const n = Math.min(avail, REPORT_PREFIX.length);
    if (data.compare(REPORT_PREFIX, 0, n, i, i + n) !== 0) return 'no';
    if (avail <= REPORT_PREFIX.length) return 'partial';
    const limit = Math.min(data.length, i + MAX_FRAME_BYTES);
    for (let j = i + REPORT_PREFIX.length; j < limit; j++) {
      const b = data[j]!;
      if (b === REPORT_END) return j;
      if (b < 0x20 || b === 0x7f) return 'no';
    }
    return limit === data.length && data.length - i < MAX_FRAME_BYTES ? 'partial' : 'no';
  }
}

/**
 * For the non-pty operations (list, kill, probe): all reports in a complete output, and
 * whatever else was printed (login-shell noise, or a shell's error if the shim never ran).
 */
export function parseReportOutput(data: Buffer | string): { reports: ShimReport[]; output: string } {
  const filter = new ReportFilter();
  const { output, reports } = filter.push(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  return { reports, output: Buffer.concat([output, filter.flush()]).toString('utf8') };
}
