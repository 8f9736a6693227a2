/**
 * Stream mode's control round trips (control-line.ts): acknowledge the output written
 * locally (the server frees it and a joining client starts there), declare stdin's EOF,
 * and learn how many stdin bytes the server holds. One at a time; a request while one is
 * out runs after.
 */
import type { Clock } from '../platform/clock.js';
import type { Connection } from '../transport/connection.js';
import type { OutputRelay } from './output-relay.js';
import type { StdinFlow } from './stdin-flow.js';
import { ControlLine } from './control-line.js';
import { CONFIRM_RETRY_MS, CONTROL_TIMEOUT_MS, OUTPUT_ACK_BYTES, STDIN_CONFIRM_BYTES } from './stream-options.js';

export interface ConfirmationsDeps {
  name: string;
  clock: Clock;
  output: OutputRelay;
  flow: StdinFlow;
  /** The link to ask on; undefined while down, before the session exists, or after it ended. */
  link(): Connection | undefined;
}

export class Confirmations {
  private busy = false;
  private again = false;
  /** Output bytes (both streams) the server was told were written. */
  private acked = 0;
  private eofDeclared = false;
  /** The open control channel of the current link. */
  private line: ControlLine | undefined;

  constructor(private readonly d: ConfirmationsDeps) {}

  /** Output was written locally: acknowledge it every OUTPUT_ACK_BYTES. */
  outputWritten(): void {
    if (this.d.output.delivered - this.acked >= OUTPUT_ACK_BYTES) this.soon();
  }

  /** We joined another client's session: what it wrote counts as acknowledged. */
  joined(): void {
    this.acked = this.d.output.delivered;
  }

  /**
   * An attach succeeded (carrying the EOF, if known then). stdin read before the session
   * existed, or during an outage, may already be past the confirmation mark with local
   * stdin paused: nothing else would ask the server now.
   */
  attached(carriedEof: boolean): void {
    if (carriedEof) this.eofDeclared = true;
    const spool = this.d.flow.spool;
    if ((spool.eof !== undefined && !this.eofDeclared) || spool.held >= STDIN_CONFIRM_BYTES) this.soon();
  }

  soon(): void {
    const conn = this.d.link();
    if (!conn) return;
    if (this.busy) return void (this.again = true);
    this.busy = true;
    this.again = false;
    const flow = this.d.flow;
    const eofAt = flow.spool.eof;
    const { outOffset, errOffset, delivered } = this.d.output;
    if (this.line?.conn !== conn) {
      this.line?.close();
      this.line = new ControlLine(conn, this.d.name, CONTROL_TIMEOUT_MS);
    }
    this.line.ask(outOffset, errOffset, eofAt).then(
      (n) => {
        this.busy = false;
        if (conn !== this.d.link()) return; // Ended, or a reattach re-synchronised.
        flow.confirmed(n);
        this.acked = delivered;
        if (eofAt !== undefined) this.eofDeclared = true;
        if (this.again) this.soon();
        else if (flow.spool.held >= STDIN_CONFIRM_BYTES) this.d.clock.setTimeout(() => this.soon(), CONFIRM_RETRY_MS);
      },
      () => {
        // The link failed (the next attach carries offsets and EOF), or the session is
        // gone from the server (the attach channel reports how it ended).
        this.busy = false;
      },
    );
  }

  /** The session ended here: hang up the control channel. */
  close(): void {
    this.line?.close();
    this.line = undefined;
  }
}
