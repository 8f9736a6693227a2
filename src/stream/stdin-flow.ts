/**
 * Local stdin in stream mode: every byte read goes into the spool (held until the server
 * confirms it) and, while attached, out on the attach channel at once. Local stdin is
 * paused while anything holds it: the channel's backpressure, the bound on unconfirmed
 * bytes in memory, or the link being down.
 */
import type { ClientChannel } from 'ssh2';
import { StdinSpool } from './stdin-spool.js';
import { STDIN_CONFIRM_BYTES, STDIN_HIGH_WATER_BYTES } from './stream-options.js';

type Hold = 'channel' | 'window' | 'link';

export class StdinFlow {
  readonly spool = new StdinSpool();
  private readonly holds = new Set<Hold>();
  /** Where new bytes go: the attach channel, once its header said what the server holds. */
  private channel: ClientChannel | undefined;
  private stopped = false;

  constructor(
    private readonly stdin: NodeJS.ReadableStream,
    /** Enough is unconfirmed that the server should be asked how much it holds. */
    private readonly wantConfirmation: () => void,
  ) {}

  /** Bytes read from local stdin. */
  push(chunk: Buffer): void {
    this.spool.push(chunk);
    if (this.channel) this.send(this.channel, chunk);
    if (this.spool.held >= STDIN_CONFIRM_BYTES) this.wantConfirmation();
    if (this.spool.held >= STDIN_HIGH_WATER_BYTES) this.hold('window', true);
  }

  /** An attach's header: the server holds `inSize` bytes; the rest goes now, then live. */
  attached(ch: ClientChannel, inSize: number): void {
    this.spool.confirm(inSize);
    for (const b of this.spool.from(inSize)) this.send(ch, b);
    this.channel = ch;
    this.hold('link', false);
  }

  /** The server confirmed `n` bytes (ctl): free them, and read on if under the bound. */
  confirmed(n: number): void {
    this.spool.confirm(Math.max(n, this.spool.base));
    if (this.spool.held < STDIN_HIGH_WATER_BYTES) this.hold('window', false);
  }

  /** The attach channel closed: what it did not take is resent from the next header. */
  channelClosed(): void {
    this.channel = undefined;
    this.hold('channel', false);
  }

  /**
   * The link is down: read no further until a reattach (the spool is bounded). The
   * channel's backpressure goes with its link: its 'drain' will never come, and keeping
   * that hold stalled the upload for good after a reset in mid-flow.
   */
  linkLost(): void {
    this.channel = undefined;
    this.holds.delete('channel');
    this.hold('link', true);
  }

  /** The session ended: never resume local stdin again. */
  stop(): void {
    this.stopped = true;
    this.channel = undefined;
    this.stdin.pause();
  }

  private send(ch: ClientChannel, b: Buffer): void {
    // One drain listener per hold: chunks already read keep arriving while stdin pauses.
    if (!ch.write(b) && !this.holds.has('channel')) {
      this.hold('channel', true);
      ch.once('drain', () => this.hold('channel', false));
    }
  }

  private hold(reason: Hold, on: boolean): void {
    if (on) this.holds.add(reason);
    else this.holds.delete(reason);
    if (this.holds.size > 0) this.stdin.pause();
    else if (!this.stopped) this.stdin.resume();
  }
}
