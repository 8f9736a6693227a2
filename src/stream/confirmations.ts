/**
 * Stream mode's control round trips (`ctl`): acknowledge the output written locally (the
 * server frees it and a joining client starts there), declare stdin's EOF, and learn how
 * many stdin bytes the server holds. One at a time; a request while one is out runs after.
 */
import type { Clock } from '../session/clock.js';
import type { Connection } from '../transport/connection.js';
import type { OutputRelay } from './output-relay.js';
import type { StdinFlow } from './stdin-flow.js';
import { ctlCommand, parseInSize, runControl } from './stream-commands.js';
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
    runControl(conn, ctlCommand(this.d.name, outOffset, errOffset, eofAt), CONTROL_TIMEOUT_MS).then(
      (r) => {
        this.busy = false;
        const n = parseInSize(r.stdout);
        if (n === undefined || conn !== this.d.link()) return; // Ended, or a reattach re-synchronised.
        flow.confirmed(n);
        this.acked = delivered;
        if (eofAt !== undefined) this.eofDeclared = true;
        if (this.again) this.soon();
        else if (flow.spool.held >= STDIN_CONFIRM_BYTES) this.d.clock.setTimeout(() => this.soon(), CONFIRM_RETRY_MS);
      },
      () => {
        this.busy = false; // The link failed: the next attach carries offsets and EOF.
      },
    );
  }
}
