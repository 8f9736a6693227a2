/**
 * Client-side bookkeeping of stdin for exactly-once delivery: every byte read from the
 * local stdin gets an absolute offset; bytes stay here until the server confirms that its
 * input spool holds them (`in=N` from attach or ctl), so after a re-dial the client
 * resends exactly from the server's N. Pure data structure, no I/O.
 */
export class StdinSpool {
  /** Offset of the first byte still held (everything before is confirmed by the server). */
  private baseOffset = 0;
  /** Offset just past the last byte read from local stdin. */
  private endOffset = 0;
  private chunks: Buffer[] = [];
  /** Total stdin length once local stdin has ended. */
  private eofAt: number | undefined;

  get base(): number {
    return this.baseOffset;
  }
  get end(): number {
    return this.endOffset;
  }
  /** Bytes held in memory, awaiting confirmation. */
  get held(): number {
    return this.endOffset - this.baseOffset;
  }
  get eof(): number | undefined {
    return this.eofAt;
  }

  push(chunk: Buffer): void {
    if (this.eofAt !== undefined) throw new Error('stdin data after EOF');
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.endOffset += chunk.length;
  }

  markEof(): void {
    this.eofAt ??= this.endOffset;
  }

  /**
   * The server holds everything before `n`: forget it. A stale (smaller) confirmation is
   * ignored; one beyond what was ever sent means the two sides disagree about the stream,
   * which must stop the session rather than corrupt it.
   */
  confirm(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`bad stdin offset from server: ${n}`);
    if (n > this.endOffset) throw new Error(`server holds ${n} stdin bytes but only ${this.endOffset} were sent`);
    let drop = n - this.baseOffset;
    if (drop <= 0) return;
    this.baseOffset = n;
    while (drop > 0) {
      const first = this.chunks[0];
      if (first === undefined) break;
      if (first.length <= drop) {
        this.chunks.shift();
        drop -= first.length;
      } else {
        this.chunks[0] = first.subarray(drop);
        drop = 0;
      }
    }
  }

  /** The held bytes from absolute offset `from` (≥ base) to the end, as slices (no copy). */
  from(from: number): Buffer[] {
    if (from < this.baseOffset || from > this.endOffset) throw new Error(`stdin offset ${from} outside ${this.baseOffset}..${this.endOffset}`);
    const out: Buffer[] = [];
    let skip = from - this.baseOffset;
    for (const c of this.chunks) {
      if (skip >= c.length) {
        skip -= c.length;
        continue;
      }
      out.push(skip > 0 ? c.subarray(skip) : c);
      skip = 0;
    }
    return out;
  }
}

/** The first stderr line of an attach: `stayssh-stream 1 in=N` or `... error=CODE`. */
export type AttachHeader = { ok: true; inSize: number } | { ok: false; error: string };

const HEADER_RE = /^stayssh-stream 1 (?:in=(\d+)|error=([a-z-]+))$/;

/** Parses the header line (without its newline); undefined when it is not one. */
export function parseAttachHeader(line: string): AttachHeader | undefined {
  const m = HEADER_RE.exec(line);
  if (!m) return undefined;
  if (m[1] !== undefined) return { ok: true, inSize: Number(m[1]) };
  return { ok: false, error: m[2] ?? 'unknown' };
}

/** Longest header we wait for before deciding the stderr stream is not ours, bytes. */
export const HEADER_MAX_BYTES = 256;

/**
 * Splits the attach channel's stderr into the header line and the command's stderr bytes
 * that follow it in the same chunk (binary-safe: the rest is never decoded).
 */
export class HeaderSplitter {
  private buf = Buffer.alloc(0);
  private done = false;
  private seen = '';

  /** Returns the header (once) and the payload bytes of this chunk. */
  feed(chunk: Buffer): { header?: AttachHeader | 'garbage'; rest: Buffer } {
    if (this.done) return { rest: chunk };
    this.buf = Buffer.concat([this.buf, chunk]);
    const nl = this.buf.indexOf(0x0a);
    if (nl < 0) {
      if (this.buf.length > HEADER_MAX_BYTES) return this.finish('garbage', Buffer.alloc(0));
      return { rest: Buffer.alloc(0) };
    }
    const line = this.buf.subarray(0, nl).toString('latin1');
    const rest = this.buf.subarray(nl + 1);
    return this.finish(parseAttachHeader(line) ?? 'garbage', rest);
  }

  /** What arrived without a complete header (for an error message). */
  pending(): string {
    return this.seen || this.buf.toString('utf8');
  }

  private finish(header: AttachHeader | 'garbage', rest: Buffer): { header: AttachHeader | 'garbage'; rest: Buffer } {
    this.done = true;
    if (header === 'garbage') this.seen = this.buf.toString('utf8');
    this.buf = Buffer.alloc(0);
    return { header, rest };
  }
}
