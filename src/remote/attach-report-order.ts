/**
 * The order an attach's reports must come in, and what the client does with the rest
 * (docs/BEHAVIOUR.md §7): one `attached`, then one end (`exit`, `detached`, `gone` or
 * `error`). Before the attach, an end may come alone: an `error`, or the `exit` of a
 * session that ended while no client was attached. One `text` (the ended session's
 * text follows) may come before an end, after the attach or without one. Anything else
 * is dropped unacted.
 *
 * The nonce (ReportFilter) already keeps out frames the session's programs wrote; the
 * order is the second fence: even a frame that carried it could not make the client
 * send its go-ahead twice, or end an attach twice.
 */
import type { ShimReport } from './types.js';

type Phase = 'before-attach' | 'attached' | 'ended';

const ENDS: ReadonlySet<ShimReport['t']> = new Set(['exit', 'detached', 'gone', 'error']);
const ENDS_BEFORE_ATTACH: ReadonlySet<ShimReport['t']> = new Set(['exit', 'error']);

export class AttachReportOrder {
  private phase: Phase = 'before-attach';
  private textSeen = false;

  /** True if the client acts on `r`, as the next report of this attach. */
  admit(r: ShimReport): boolean {
    if (r.t === 'text') {
      if (this.textSeen || this.phase === 'ended') return false;
      this.textSeen = true;
      return true;
    }
    switch (this.phase) {
      case 'before-attach':
        if (r.t === 'attached') {
          this.phase = 'attached';
          return true;
        }
        if (ENDS_BEFORE_ATTACH.has(r.t)) {
          this.phase = 'ended';
          return true;
        }
        return false;
      case 'attached':
        if (ENDS.has(r.t)) {
          this.phase = 'ended';
          return true;
        }
        return false;
      case 'ended':
        return false;
    }
  }
}
