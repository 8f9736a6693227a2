/**
 * Stream mode, client side (SPEC §2): a command without a terminal whose stdout, stderr
 * and stdin cross any number of broken links exactly once. The command runs detached on
 * the server (stream-script.ts); this side keeps three offsets — stdout and stderr bytes
 * written locally, stdin bytes confirmed by the server — and on every (re)attach asks for
 * output from its offsets and resends stdin from the server's. One exec per attach.
 *
 * One generation number per attach: events of a dead channel or link are ignored.
 */
import type { ClientChannel } from 'ssh2';
import type { Connection } from '../transport/connection.js';
import { systemClock, type Clock } from '../platform/clock.js';
import { LivenessMonitor } from '../engine/liveness.js';
import { attachCommand, ctlCommand, finCommand, hangupCommand, runControl, signalCommand, startControl } from './stream-commands.js';
import { StdinFlow } from './stdin-flow.js';
import { Confirmations } from './confirmations.js';
import { HeaderSplitter, type AttachHeader } from './attach-header.js';
import { redial, RedialNudge } from './redial.js';
import { InterruptRelay } from './interrupt.js';
import { isLocalAddress } from '../transport/local-address.js';
import { listenLocal, OutputRelay } from './output-relay.js';
import { CONTROL_TIMEOUT_MS, MAX_BARREN_ATTACHES, type StreamOptions } from './stream-options.js';

export type { StreamEvent, StreamOptions } from './stream-options.js';

/** Runs the command in stream mode; resolves with the exit status for the process. */
export function runStream(o: StreamOptions): Promise<number> {
  return new StreamSession(o).run();
}

class StreamSession {
  private readonly clock: Clock;
  private readonly output: OutputRelay;
  private readonly stdin: StdinFlow;
  private readonly confirmations: Confirmations;
  /** An attach has succeeded: the session exists, our offsets are the server's. */
  private created = false;
  private conn: Connection | undefined;
  private generation = 0;
  private barren = 0;
  private done = false;
  private readonly liveness: LivenessMonitor;
  private readonly interrupts: InterruptRelay;
  private finish: (code: number) => void = () => undefined;
  private readonly cleanups: Array<() => void> = [];
  /** Cuts a re-dial's backoff wait short on a network change. */
  private readonly redialNudge = new RedialNudge();

  constructor(private readonly o: StreamOptions) {
    this.clock = o.clock ?? systemClock;
    this.output = new OutputRelay(o.stdout, o.stderr);
    this.stdin = new StdinFlow(o.stdin, () => this.confirmations.soon());
    this.confirmations = new Confirmations({
      name: o.name,
      clock: this.clock,
      output: this.output,
      flow: this.stdin,
      link: () => (this.done || !this.created ? undefined : this.conn),
    });
    this.liveness = new LivenessMonitor(this.clock, o.liveness, {
      probe: () => this.conn?.ping(),
      dead: (silentMs) => this.conn?.destroy(`no reply from the server for ${Math.round(silentMs / 1000)}s`),
    });
    this.interrupts = new InterruptRelay(this.clock, {
      forward: () => this.control('Ctrl-C', (c) => runControl(c, signalCommand(o.name, 'INT'), CONTROL_TIMEOUT_MS)),
      leave: () => this.leave(),
    });
  }

  async run(): Promise<number> {
    const conn = await this.o.connector.dial(true); // The first failure is the caller's (exit 255).
    const result = new Promise<number>((resolve) => (this.finish = resolve));
    this.o.onEvent({ event: 'connected' });
    this.wireLocal();
    this.adopt(conn);
    this.attach();
    return result;
  }

  private wireLocal(): void {
    this.cleanups.push(
      listenLocal(this.o, {
        data: (chunk) => this.stdin.push(chunk),
        end: () => {
          this.stdin.spool.markEof();
          this.confirmations.soon();
        },
        outputError: (err) => this.onLocalOutputError(err),
      }),
    );
    if (this.o.onInterrupt) this.cleanups.push(this.o.onInterrupt(() => this.interrupts.interrupt()));
    if (this.o.onTerminate) this.cleanups.push(this.o.onTerminate(() => this.leave()));
    const stopWatching = this.o.watchNetwork?.(() => this.networkChanged());
    if (stopWatching) this.cleanups.push(stopWatching);
  }

  private adopt(conn: Connection): void {
    this.conn = conn;
    this.o.linkHooks?.up(conn);
    this.barren = 0;
    conn.onBytes(() => this.liveness.onBytesReceived());
    conn.onClose((reason) => {
      if (this.conn === conn) this.lost(reason);
    });
    this.liveness.start();
  }

  private attach(): void {
    const conn = this.conn;
    if (!conn || this.done) return;
    const gen = ++this.generation;
    // Until an attach succeeds we may be joining another client's session: our offsets
    // start at its, known from the header (an EOF we state then counts from our first byte).
    const joining = !this.created;
    const eofAt = this.stdin.spool.eof;
    const from = joining ? 'acknowledged' : { outOffset: this.output.outOffset, errOffset: this.output.errOffset };
    const cmd = attachCommand({ name: this.o.name, from, eofAt, create: joining, command: this.o.command });
    conn.exec(cmd, { env: this.o.env }).then(
      (ch) => (gen === this.generation ? this.wire(ch, gen, eofAt !== undefined) : ch.close()),
      () => undefined, // The link failed under us: its onClose drives the reconnect.
    );
  }

  private wire(ch: ClientChannel, gen: number, carriedEof: boolean): void {
    const splitter = new HeaderSplitter();
    let header: AttachHeader | 'garbage' | undefined;
    let exit: number | undefined;
    // stdout that arrives before the header (sshd reads the command's stdout and stderr
    // pipes separately, so the order between them is not kept) waits for it: the header
    // says which offset the output starts at, and nothing is written locally before that.
    // A few chunks at most: the script writes the header before it pours any output.
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
        this.onHeader(ch, r.header, carriedEof, splitter.pending());
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
      if (header !== undefined && header !== 'garbage' && header.ok && exit !== undefined) return void this.completed(exit);
      if (!this.conn || this.conn.closed) return; // onClose re-dials.
      if (header === undefined) return this.fail(`the stream shim did not start on the server: ${splitter.pending().trim() || 'no answer'}`);
      // Killed by a competing attach (a stale one from a dead link): attach again, boundedly.
      if (++this.barren > MAX_BARREN_ATTACHES) return this.fail('the stream session keeps closing without an exit status');
      this.attach();
    });
  }

  private onHeader(ch: ClientChannel, h: AttachHeader | 'garbage', carriedEof: boolean, text: string): void {
    if (h === 'garbage') return this.fail(`unexpected answer from the stream shim: ${text.trim().slice(0, 200)}`);
    if (!h.ok) return this.fail(headerError(h.error, this.o.name));
    try {
      if (!this.created) this.join(h);
      this.stdin.attached(ch, h.inSize);
    } catch (err) {
      return this.fail((err as Error).message);
    }
    this.created = true;
    this.o.policy.reset();
    this.o.onEvent({ event: 'attached' });
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

  /** A network change or wake: probe the link now; the next re-dial starts from short delays. */
  private networkChanged(): void {
    this.o.policy.reset();
    // The address we dialed from is gone: the link is dead for certain, re-dial at once.
    if (this.conn && !isLocalAddress(this.conn.localAddress)) this.conn.destroy('local address gone');
    else if (this.conn) this.liveness.checkNow();
    else this.redialNudge.nudge(); // Down: dial now instead of waiting out the backoff.
  }

  private lost(reason: string): void {
    if (this.done) return;
    this.liveness.stop();
    this.generation++;
    this.conn = undefined;
    this.o.linkHooks?.down();
    this.stdin.linkLost();
    this.o.onEvent({ event: 'disconnected', reason });
    const downSince = this.clock.now();
    redial({ connector: this.o.connector, policy: this.o.policy.policy, clock: this.clock, downSince, reason, isDone: () => this.done, onEvent: this.o.onEvent, nudge: this.redialNudge, giveUpAfterMs: this.o.policy.giveUpAfterMs }).then(
      (conn) => {
        if (conn === undefined || this.done) {
          conn?.end();
          if (!this.done) this.end(255, false, `stayssh: gave up; stream session ${this.o.name} keeps running on the server${this.resumeHint()}`);
          return;
        }
        this.adopt(conn);
        this.attach();
      },
      (err: unknown) => this.end(255, false, `stayssh: ${(err as Error).message}`),
    );
  }

  private completed(code: number): void {
    const conn = this.conn;
    this.done = true;
    this.o.onEvent({ event: 'exit', code });
    const cleanup = conn ? startControl(conn, finCommand(this.o.name), CONTROL_TIMEOUT_MS).catch(() => undefined) : Promise.resolve();
    void cleanup.then(() => this.end(code, true));
  }

  /** The local stdout/stderr reader went away (`| head`): hang up like ssh, exit 255. */
  private onLocalOutputError(err: NodeJS.ErrnoException): void {
    if (this.done) return;
    if (err.code !== 'EPIPE') this.o.warn(`stayssh: local output failed: ${err.message}`);
    this.done = true;
    const conn = this.conn;
    const hangup = conn ? runControl(conn, hangupCommand(this.o.name), CONTROL_TIMEOUT_MS).catch(() => undefined) : Promise.resolve();
    void hangup.then(() => this.end(255, true));
  }

  /**
   * Leave with the command still running (a second Ctrl-C, SIGTERM, SIGHUP). Output that
   * arrives from now on is not written, and what was is acknowledged first, so a client
   * resuming by name goes on exactly from here.
   */
  private leave(): void {
    if (this.done) return;
    this.done = true;
    this.generation++;
    this.stdin.stop();
    const conn = this.conn;
    const ack = conn ? runControl(conn, ctlCommand(this.o.name, this.output.outOffset, this.output.errOffset, undefined), CONTROL_TIMEOUT_MS) : Promise.resolve();
    void ack
      .catch(() => undefined)
      .then(() => this.end(255, false, `stayssh: left stream session ${this.o.name}; the command keeps running on the server${this.resumeHint()}`));
  }

  private resumeHint(): string {
    return this.o.resumeCommand === undefined ? '' : `; resume with: ${this.o.resumeCommand}`;
  }

  private control(what: string, op: (c: Connection) => Promise<unknown>): void {
    const conn = this.conn;
    if (!conn) return this.o.warn(`stayssh: link down, ${what} not sent`);
    op(conn).catch(() => this.o.warn(`stayssh: ${what} could not be sent`));
  }

  private fail(message: string): void {
    this.end(255, false, `stayssh: ${message}`);
  }

  private end(code: number, polite: boolean, warning?: string): void {
    this.done = true;
    this.generation++;
    this.stdin.stop();
    if (warning) this.o.warn(warning);
    this.liveness.stop();
    this.confirmations.close();
    this.interrupts.dispose();
    for (const c of this.cleanups.splice(0)) c();
    const conn = this.conn;
    this.conn = undefined;
    if (conn) this.o.linkHooks?.down();
    if (conn && !conn.closed) void (polite ? conn.end() : conn.destroy('stream session ended'));
    this.finish(code);
  }
}

/** What an attach's `error=CODE` header means to the user. */
function headerError(code: string, name: string): string {
  if (code === 'no-session') return `stream session ${name} is gone from the server`;
  if (code === 'not-stream') return `session ${name} is an interactive (tmux/screen) session: attach to it without a command, or pick another --session name`;
  return `stream shim error: ${code}`;
}
