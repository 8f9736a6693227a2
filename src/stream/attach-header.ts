/**
 * The first stderr line of a stream attach (stream-script.ts): `stayssh-stream 1 in=N
 * out=O err=E` (stdin bytes the server holds, output offsets it pours from) or `...
 * error=CODE`, and the splitter that takes it off the front of the command's stderr.
 */

export type AttachHeader = { ok: true; inSize: number; outFrom: number; errFrom: number } | { ok: false; error: string };

const HEADER_RE = /^stayssh-stream 1 (?:in=(\d+) out=(\d+) err=(\d+)|error=([a-z-]+))$/;

/** Parses the header line (without its newline); undefined when it is not one. */
export function parseAttachHeader(line: string): AttachHeader | undefined {
  const m = HEADER_RE.exec(line);
  if (!m) return undefined;
  if (m[1] !== undefined) return { ok: true, inSize: Number(m[1]), outFrom: Number(m[2]), errFrom: Number(m[3]) };
  return { ok: false, error: m[4] ?? 'unknown' };
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
