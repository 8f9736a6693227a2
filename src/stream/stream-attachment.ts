/**
 * What "attach" means for a stream command: one exec that creates the detached command
 * (first attach) or resumes its spools from our offsets (every later one), a header on
 * stderr saying where output starts and how much stdin the server holds, then output
 * poured and stdin fed until the command ends or the link does.
 *
 * Starting is idempotent by the session name: an attach whose start reached the server
 * but whose answer was lost (a reset mid-login) is followed by one that finds the session
 * and joins it, so a command is never started twice.
 *
 * One generation number per attach exec: events of a dead channel are ignored.
 */
import type { ClientChannel } from 'ssh2';
import type { AttachLink, Attachment } from '../engine/attachment.js';
import type { Clock } from '../platform/clock.js';
import type { Connection } from '../transport/connection.js';
import { HeaderSplitter, type AttachHeader } from './attach-header.js';
import { Confirmations } from './confirmations.js';
import { OutputRelay } from './output-relay.js';
import { StdinFlow } from './stdin-flow.js';
import { attachCommand, ctlCommand, finCommand, hangupCommand, runControl, startControl } from './stream-commands.js';
import { CONTROL_TIMEOUT_MS, MAX_BARREN_ATTACHES, type StreamOptions } from './stream-options.js';

/** How the attachment ends the run when the user, not the link, decides. */
export interface StreamEnding {
  /** Leave the command running on the server (exit 255, resumable). */
  detach(reason: string): void;
  /** End the run with `code`, the command not resumable (hung up). */
  quit(code: number, reason: string): void;
}

export class StreamAttachment implements Attachment {
  private readonly output: OutputRelay;
  private readonly stdin: StdinFlow;
  private readonly confirmations: Confirmations;
  /** An attach has succeeded: the session exists, our offsets are the server's. */
  private created = false;
  private conn: Connection | undefined;
  private link: AttachLink | undefined;
  private generation = 0;
  private barren = 0;
  /** The command's exit status, once known: a later link only reports it. */
  private exitStatus: number | undefined;
  /** The user left (second Ctrl-C, SIGTERM, SIGHUP); nothing more is written locally. */
  left = false;
  private done = false;

  constructor(
    private readonly o: StreamOptions,
    clock: Clock,
    private readonly ending: StreamEnding,
  ) {
    this.output = new OutputRelay(o.stdout, o.stderr);
    this.stdin = new StdinFlow(o.stdin, () => this.confirmations.soon());
    this.confirmations = new Confirmations({
      name: o.name,
      clock,
      output: this.output,
      flow: this.stdin,
      link: () => (this.done || !this.created ? undefined : this.conn),
    });
  }

  attach(conn: Connection, link: AttachLink): void {
    this.conn = conn;
    this.link = link;
    this.barren = 0;
    if (this.exitStatus !== undefined) return link.exited(this.exitStatus);
    this.exec();
  }

  linkDropped(): void {
    this.generation++;
    this.conn = undefined;
    this.link = undefined;
    this.stdin.linkLost();
  }

  stdinData(chunk: Buffer): void {
    this.stdin.push(chunk);
  }

  stdinEnd(): void {
    this.stdin.spool.markEof();
    this.confirmations.soon();
  }

  /**
   * Leave with the command still running. Output that arrives from now on is not
   * written, and what was is acknowledged first, so a client resuming by name goes on
   * exactly from here.
   */
  leave(conn: Connection | undefined): void {
    if (this.done) return;
    this.done = true;
    this.left = true;
    this.generation++;
    this.stdin.stop();
    const ack = conn ? runControl(conn, ctlCommand(this.o.name, this.output.outOffset, this.output.errOffset, undefined), CONTROL_TIMEOUT_MS) : Promise.resolve();
    void ack.catch(() => undefined).then(() => this.ending.detach('left by the user'));
  }

  /** The local stdout/stderr reader went away (`| head`): hang up like ssh, exit 255. */
  localOutputFailed(err: NodeJS.ErrnoException, conn: Connection | undefined): void {
    if (this.done) return;
    if (err.code !== 'EPIPE') this.o.warn(`stayssh: local output failed: ${err.message}`);
    this.done = true;
    this.generation++;
    const hangup = conn ? runControl(conn, hangupCommand(this.o.name), CONTROL_TIMEOUT_MS).catch(() => undefined) : Promise.resolve();
    void hangup.then(() => this.ending.quit(255, 'hung up'));
  }

  dispose(): void {
    this.done = true;
    this.generation++;
    this.stdin.stop();
    this.confirmations.close();
  }

  private exec(): void {
    const conn = this.conn;
    const link = this.link;
    if (!conn || !link || this.done) return;
    const gen = ++this.generation;
    // Until an attach succeeds we may be joining another client's session (or our own,
    // started by an attach whose answer was lost): our offsets start at its, known from
    // the header (an EOF we state then counts from our first byte).
    const joining = !this.created;
    const eofAt = this.stdin.spool.eof;
    const from = joining ? 'acknowledged' : { outOffset: this.output.outOffset, errOffset: this.output.errOffset };
    const cmd = attachCommand({ name: this.o.name, from, eofAt, create: joining, command: this.o.command });
    conn.exec(cmd, { env: this.o.env }).then(
      (ch) => (gen === this.generation ? this.wire(ch, gen, link, eofAt !== undefined) : ch.close()),
      (err: unknown) => {
        // A failing link drives the reconnect through the engine; a live one refused the exec.
        if (gen === this.generation && !conn.closed) link.failed(`could not start the stream: ${(err as Error).message}`, true);
      },
    );
  }

  private wire(ch: ClientChannel, gen: number, link: AttachLink, carriedEof: boolean): void {
    const splitter = new HeaderSplitter();
    let header: AttachHeader | 'garbage' | undefined;
    let exit: number | undefined;
    // stdout that arrives before the header (sshd reads the command's stdout and stderr
    // pipes separately, so the order between them is not kept) waits for it: the header
    // says which offset the output starts at, and nothing is written locally before that.
    let early: Buffer[] | undefined = [];
    ch.on('data', (d: Buffer) => {
      if (gen !== this.generation) return;
      if (early) early.push(d);
      else this.writeLocal(ch, d, 'out');
    });
    ch.stderr.on('data', (d: Buffer) => {
      if (gen !== this.generation) return;
      const r = splitter.feed(d);
      if (r.header !== undefined) {
        header = r.header;
        this.onHeader(ch, r.header, link, carriedEof, splitter.pending());
        if (gen !== this.generation) return; // The header ended the session.
        for (const b of early ?? []) this.writeLocal(ch, b, 'out');
        early = undefined;
      }
      if (r.rest.length > 0) this.writeLocal(ch.stderr, r.rest, 'err');
    });
    ch.on('exit', (code: unknown) => {
      if (typeof code === 'number') exit = code;
    });
    ch.on('close', () => {
      if (gen !== this.generation || this.done) return;
      this.stdin.channelClosed();
      if (header !== undefined && header !== 'garbage' && header.ok && exit !== undefined) return this.completed(exit, link);
      if (!this.conn || this.conn.closed) return; // The engine sees the link go and re-dials.
      if (header === undefined) return this.fail(`the stream shim did not start on the server: ${splitter.pending().trim() || 'no answer'}`);
      // Killed by a competing attach (a stale one from a dead link): attach again, boundedly.
      if (++this.barren > MAX_BARREN_ATTACHES) return this.fail('the stream session keeps closing without an exit status');
      this.exec();
    });
  }

  private onHeader(ch: ClientChannel, h: AttachHeader | 'garbage', link: AttachLink, carriedEof: boolean, text: string): void {
    if (h === 'garbage') return this.fail(`unexpected answer from the stream shim: ${text.trim().slice(0, 200)}`);
    if (!h.ok) return this.fail(headerError(h.error, this.o.name));
    try {
      if (!this.created) this.join(h);
      this.stdin.attached(ch, h.inSize);
    } catch (err) {
      return this.fail((err as Error).message);
    }
    this.created = true;
    link.attached();
    this.confirmations.attached(carriedEof);
  }

  /**
   * The first attach that succeeded: the session may be another client's (resumed by name),
   * with stdin already fed and output already written out there. Nothing of ours has
   * reached the server yet (stdin is sent only after a header), so our stdin continues
   * from its size and our output from the offsets it poured from.
   */
  private join(h: { inSize: number; outFrom: number; errFrom: number }): void {
    this.stdin.spool.rebase(h.inSize);
    this.output.resumeAt(h.outFrom, h.errFrom);
    this.confirmations.joined();
  }

  private writeLocal(from: NodeJS.ReadableStream, d: Buffer, which: 'out' | 'err'): void {
    this.output.write(from, d, which);
    this.confirmations.outputWritten();
  }

  /** The command ended and all its output is written: clean up on the server, then report. */
  private completed(code: number, link: AttachLink): void {
    this.exitStatus = code;
    this.done = true;
    const conn = this.conn;
    const cleanup = conn ? startControl(conn, finCommand(this.o.name), CONTROL_TIMEOUT_MS).catch(() => undefined) : Promise.resolve();
    void cleanup.then(() => (link.current ? link.exited(code) : this.ending.quit(code, 'remote exited')));
  }

  /** Nothing a re-dial can cure: end the run (the first login's one line, or 255 later). */
  private fail(message: string): void {
    this.done = true;
    this.generation++;
    this.ending.quit(255, message);
  }
}

/** What an attach's `error=CODE` header means to the user. */
function headerError(code: string, name: string): string {
  if (code === 'no-session') return `stream session ${name} is gone from the server`;
  if (code === 'not-stream') return `session ${name} is an interactive (tmux/screen) session: attach to it without a command, or pick another --session name`;
  return `stream shim error: ${code}`;
}
