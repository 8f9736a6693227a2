/**
 * Keystrokes typed while the link is down (docs/BEHAVIOUR.md §3): kept up to a bound and delivered
 * in order after reattach. The bound protects the remote side, not our memory: a cat
 * leaning on a key for a minute must not paste 100 KiB of "jjjj" into vim on reattach.
 */

/** bytes kept during one outage (docs/BEHAVIOUR.md §3: 4 KiB; a few screens of typing, far above a normal burst). */
export const OUTAGE_BUFFER_MAX = 4096;

export class OutageBuffer {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private droppedBytes = 0;

  constructor(readonly capacity: number = OUTAGE_BUFFER_MAX) {
    if (!(capacity >= 0) || !Number.isInteger(capacity)) throw new RangeError(`outage buffer: bad capacity ${capacity}`);
  }

  /** Bytes held now. */
  get size(): number {
    return this.bytes;
  }

  /** Bytes refused since the last drain(), for a "N keystrokes lost" notice. */
  get dropped(): number {
    return this.droppedBytes;
  }

  /**
   * Keeps as much of `b` as fits. Returns false when anything was dropped, so the caller
   * can beep or warn; the part kept never ends in the middle of a UTF-8 character, so the
   * remote side never receives half a character.
   */
  push(b: Buffer): boolean {
    if (b.length === 0) return true;
    const room = this.capacity - this.bytes;
    if (b.length <= room) {
      // Copy: the caller (a stream) may reuse its buffer once we return.
      this.chunks.push(Buffer.from(b));
      this.bytes += b.length;
      return true;
    }
    const keep = utf8Boundary(b, room);
    if (keep > 0) {
      this.chunks.push(Buffer.from(b.subarray(0, keep)));
      this.bytes += keep;
    }
    this.droppedBytes += b.length - keep;
    return false;
  }

  /** Everything held, oldest first; empties the buffer and the dropped count. */
  drain(): Buffer {
    const out = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.bytes);
    this.chunks = [];
    this.bytes = 0;
    this.droppedBytes = 0;
    return out;
  }
}

/**
 * The largest n ≤ limit such that b[0, n) does not end inside a UTF-8 sequence. Bytes that
 * are not valid UTF-8 lead bytes are treated as single characters (raw binary input).
 */
export function utf8Boundary(b: Buffer, limit: number): number {
  let n = Math.min(limit, b.length);
  if (n <= 0) return 0;
  if (n === b.length) return n;
  // Walk back over at most 3 continuation bytes (10xxxxxx) to the lead byte before n.
  let i = n - 1;
  let back = 0;
  while (i >= 0 && back < 3 && ((b[i] ?? 0) & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i < 0) return n;
  const lead = b[i] ?? 0;
  const len = lead >= 0xf0 && lead < 0xf8 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  if (lead >= 0xf8) return n; // not a UTF-8 lead byte: treat as raw
  if (i + len > n) n = i; // the character starting at i would be cut: leave it out
  return n;
}
