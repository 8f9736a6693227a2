/**
 * One attach: a pty exec channel running the shim's create-or-attach (one exec, no
 * separate control call: each exec costs a server-side fork of the user's shell).
 * The shim's reports travel inside the pty stream as OSC frames; they are filtered out
 * here so the user never sees them. After `attached` the shim waits for one byte from
 * us before it starts the multiplexer (see shim.sh for why).
 *
 * Every report after the first must carry this attach's nonce, sent with the go-ahead,
 * and all come in order (docs/BEHAVIOUR.md §7); other frames are dropped.
 */
import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import type { Connection } from '../transport/connection.js';
import { ReportFilter } from '../remote/report-filter.js';
import { AttachReportOrder } from '../remote/attach-report-order.js';
import type { ShimReport } from '../remote/types.js';
import { attachCommand } from '../remote/shim.js';
import type { MuxChoice } from '../contracts/mux.js';
import { sendKeys } from '../transport/channel-send.js';
import { execWithPty } from '../transport/pty-exec.js';

/** The client's go-ahead after an `attached` report (the shim reads one byte, raw). */
const ATTACH_ACK = Buffer.from('\n');

/** The nonce's size, bytes: 128 bits, sent as 32 hex digits (what the shim reads). */
const NONCE_BYTES = 16;

export interface AttachRequest {
  name: string;
  mux: MuxChoice;
  /** Create the session when absent: true on the first attach only. */
  create: boolean;
  /** The `-t` command, or undefined for the login shell. */
  command: string | undefined;
  /** Carried into the session: LANG, LC_*, COLORTERM. */
  env: Record<string, string>;
  /** SessionIdleExpiry in seconds: acted on by a creating (first) attach only. */
  expireIdleSeconds?: number;
  /** 'text' when the local stdout is not a terminal (docs/DECISIONS.md, -tt into a pipe). */
  view?: 'screen' | 'text';
  term: string;
  cols: number;
  rows: number;
}

export interface AttachHandlers {
  output(data: Buffer): void;
  report(report: ShimReport): void;
  /** The channel closed; `status` is its exit status when the server sent one. */
  closed(status: number | undefined): void;
}

export async function openAttach(conn: Connection, req: AttachRequest, on: AttachHandlers): Promise<ClientChannel> {
  const command = attachCommand({ name: req.name, mux: req.mux, create: req.create, command: req.command, env: req.env, expireIdleSeconds: req.expireIdleSeconds, view: req.view });
  const pty = { term: req.term, cols: req.cols, rows: req.rows, width: 0, height: 0 };
  const channel = await execWithPty(conn, command, pty);
  const nonce = randomBytes(NONCE_BYTES).toString('hex');
  // The nonce goes with the go-ahead, in one write: by then the shim has put the terminal
  // raw and without echo (it did before its report), so it is never echoed, whatever the
  // server does with a pty request's modes (ssh2's own server drops the first of them).
  const goAhead = Buffer.concat([Buffer.from(nonce), ATTACH_ACK]);
  const filter = new ReportFilter(nonce);
  const order = new AttachReportOrder();
  let status: number | undefined;
  channel.on('data', (chunk: Buffer) => {
    // In order: what a text view hides or shows depends on which side of a report it is.
    for (const r of filter.pushInOrder(chunk)) {
      if (Buffer.isBuffer(r)) {
        on.output(r);
        continue;
      }
      if (!order.admit(r)) continue;
      // The shim holds the multiplexer back until this byte arrives: only then is the
      // report known to have left the pty, where tmux's start-up flush could have eaten it.
      // Sent before the handler runs, so keys kept from the outage follow it.
      if (r.t === 'attached') sendKeys(channel, goAhead);
      on.report(r);
    }
  });
  channel.stderr.on('data', (chunk: Buffer) => on.output(chunk));
  channel.on('exit', (code: number | null) => {
    if (typeof code === 'number') status = code;
  });
  channel.on('close', () => {
    const rest = filter.flush();
    if (rest.length) on.output(rest);
    on.closed(status);
  });
  return channel;
}
