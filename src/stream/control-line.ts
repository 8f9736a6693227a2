/**
 * Stream mode's control questions on one open channel (the script's `ctld` op): ask with
 * output offsets and stdin's EOF, get back how many stdin bytes the server holds.
 *
 * Why not one exec per question (`ctl`): each costs an sshd session, a shell start and a
 * parse of the stream script, ~10 ms of server CPU; an upload asks every few MiB and its
 * pace depended on those answers (1 GB: ~110 execs). On an open channel a question is a
 * line each way and one `wc` on the server.
 *
 * One channel per link, opened on the first question. Questions are answered in order; a
 * deadline missed, an answer that is not `in=N`, or the channel closing fails the pending
 * questions and the channel: the next question opens a new one.
 */
import type { ClientChannel } from 'ssh2';
import type { Connection } from '../transport/connection.js';
import { ctldCommand, ctldRequest, parseInSize } from './stream-commands.js';

interface Pending {
  resolve(inSize: number): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** What a control line needs of the link: exec (a Connection has it). */
export type ControlLink = Pick<Connection, 'exec'>;

export class ControlLine {
  private channel: Promise<ClientChannel> | undefined;
  private readonly pending: Pending[] = [];
  private text = '';

  constructor(
    readonly conn: ControlLink,
    private readonly name: string,
    private readonly timeoutMs: number,
  ) {}

  /** Acknowledges output up to the offsets, states EOF if known; resolves with `in=N`'s N. */
  ask(outOffset: number, errOffset: number, eofAt: number | undefined): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error(`remote control operation timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
      this.pending.push({ resolve, reject, timer });
      this.open().then(
        (ch) => ch.write(ctldRequest(outOffset, errOffset, eofAt)),
        (err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err))),
      );
    });
  }

  /** Closes the channel (the session ended); pending questions fail. */
  close(): void {
    this.fail(new Error('control channel closed'));
  }

  private open(): Promise<ClientChannel> {
    if (this.channel) return this.channel;
    const opening = this.conn.exec(ctldCommand(this.name));
    this.channel = opening;
    opening.then(
      (ch) => {
        ch.stderr.resume();
        ch.on('data', (d: Buffer) => this.onText(d.toString('latin1')));
        ch.on('close', () => {
          if (this.channel === opening) this.fail(new Error('control channel closed'));
        });
      },
      () => undefined, // ask() fails the question.
    );
    return opening;
  }

  private onText(chunk: string): void {
    this.text += chunk;
    for (let nl = this.text.indexOf('\n'); nl >= 0; nl = this.text.indexOf('\n')) {
      const line = this.text.slice(0, nl);
      this.text = this.text.slice(nl + 1);
      const inSize = parseInSize(line);
      if (inSize === undefined) return this.fail(new Error(`unexpected control answer: ${line.slice(0, 100)}`));
      const p = this.pending.shift();
      if (!p) return this.fail(new Error('control answer without a question'));
      clearTimeout(p.timer);
      p.resolve(inSize);
    }
  }

  /** Fails every pending question and drops the channel; a later ask opens a new one. */
  private fail(err: Error): void {
    const channel = this.channel;
    this.channel = undefined;
    this.text = '';
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    void channel?.then(
      (ch) => ch.close(),
      () => undefined,
    );
  }
}
