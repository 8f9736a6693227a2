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

  /**
   * A client joining a session that another client fed: the server already holds `n`
   * stdin bytes, so ours continue from there. Only before anything was confirmed.
   */
  rebase(n: number): void {
    if (this.baseOffset !== 0) throw new Error('stdin rebased after a confirmation');
    this.baseOffset += n;
    this.endOffset += n;
    if (this.eofAt !== undefined) this.eofAt += n;
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
