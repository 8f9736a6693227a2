/** The local ends of stream mode: stdin read, and where a local failure is reported. */
export interface LocalHandlers {
  data(chunk: Buffer): void;
  /** Local stdin ended (or failed: an unreadable stdin ends like ssh's, EOF to the command). */
  end(): void;
  /** Local stdout or stderr failed (`| head` closed: EPIPE). */
  outputError(err: NodeJS.ErrnoException): void;
}

/** Listens on the local streams; returns the way to stop (stdin is paused then). */
export function listenLocal(
  o: { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
  on: LocalHandlers,
): () => void {
  const onData = (chunk: Buffer | string) => on.data(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const onEnd = () => on.end();
  const onOutError = (err: NodeJS.ErrnoException) => on.outputError(err);
  o.stdin.on('data', onData);
  o.stdin.once('end', onEnd);
  o.stdin.once('error', onEnd);
  o.stdout.on('error', onOutError);
  o.stderr.on('error', onOutError);
  return () => {
    o.stdin.off('data', onData);
    o.stdin.off('end', onEnd);
    o.stdin.off('error', onEnd);
    o.stdin.pause();
  };
}

/**
 * The remote command's stdout and stderr, written locally: counts the bytes delivered on
 * each (the offsets a re-attach resumes from) and pauses the channel while the local side
 * does not drain (backpressure instead of unbounded memory).
 */
export class OutputRelay {
  outOffset = 0;
  errOffset = 0;
  /** Local outputs we wait on for 'drain' (one listener each, however many chunks come). */
  private readonly waitingDrain = new Set<NodeJS.WritableStream>();

  constructor(
    private readonly stdout: NodeJS.WritableStream,
    private readonly stderr: NodeJS.WritableStream,
  ) {}

  /** A client joining another's session starts at the offsets that one wrote out. */
  resumeAt(outOffset: number, errOffset: number): void {
    this.outOffset = outOffset;
    this.errOffset = errOffset;
  }

  /** Bytes written locally on both streams (from offset 0: a joining client counts the earlier client's too). */
  get delivered(): number {
    return this.outOffset + this.errOffset;
  }

  write(from: NodeJS.ReadableStream, d: Buffer, which: 'out' | 'err'): void {
    const dest = which === 'out' ? this.stdout : this.stderr;
    if (which === 'out') this.outOffset += d.length;
    else this.errOffset += d.length;
    if (!dest.write(d) && !this.waitingDrain.has(dest)) {
      this.waitingDrain.add(dest);
      from.pause();
      dest.once('drain', () => {
        this.waitingDrain.delete(dest);
        from.resume();
      });
    }
  }
}
