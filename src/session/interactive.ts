/**
 * Interactive mode: the engine (engine/engine.ts) with a pty attachment, the local
 * terminal's keys and size, the escapes and the outage status line. Reconnecting itself
 * is the engine's; this file says what a shell session adds to it (docs/BEHAVIOUR.md §2–§4).
 */
import type { ClientChannel } from 'ssh2';
import type { TerminalPort } from '../contracts/terminal-port.js';
import { Engine, type EngineOptions } from '../engine/engine.js';
import type { ShimReport } from '../remote/types.js';
import { StatusLine, type StatusState } from '../terminal/status-line.js';
import type { Connection } from '../transport/connection.js';
import type { AttachLink, Attachment } from '../engine/attachment.js';
import { openAttach, type AttachRequest } from './attach-channel.js';
import { handleEscape } from './escape-actions.js';
import { KeyRelay } from './key-relay.js';
import { repaintScreen } from './repaint.js';
import { StatusTicker } from './status-ticker.js';

/** The engine's options (all but what this mode supplies itself), and a shell's own. */
export interface InteractiveOptions extends Omit<EngineOptions, 'connector' | 'attachment' | 'status'> {
  connector: EngineOptions['connector'] & { readonly config: { originalHost: string } };
  attach: Omit<AttachRequest, 'cols' | 'rows' | 'create'> & { create: boolean };
  terminal: TerminalPort;
  escapeChar: string;
  /** Printed on the terminal's stderr (not while the screen is owned by the session). */
  notice(text: string): void;
  /**
   * The command line that lists this host's sessions, as the user would type it (their
   * user@, -p, -i...: `stayssh --list HOST` alone could list another user's, or fail).
   * null: there is no command that could list them (`--demo`), so no line is printed.
   */
  listCommand?: string | null;
  /**
   * What is known to have caused the outage whose last contact was `sinceContactMs` ago,
   * long and short, for the status line (`--demo` names its own cuts); undefined when
   * nothing is known. Must never name a cause that is not true.
   */
  statusCause?(sinceContactMs: number): readonly [string, string] | undefined;
}

export interface InteractiveResult {
  code: number;
  reason: string;
  /** True when the session is still alive on the server (detach, give-up, killed client). */
  resumable: boolean;
  wasUp: boolean;
}

export class InteractiveSession {
  private readonly engine: Engine;
  private readonly keys: KeyRelay;
  private readonly attachment: PtyAttachment;

  constructor(private readonly o: InteractiveOptions) {
    const status = new StatusTicker(new StatusLine(o.terminal.stderr), o.clock, () => this.statusState());
    this.attachment = new PtyAttachment(o, () => this.keys.flush(this.attachment.channel));
    this.engine = new Engine({ ...o, attachment: this.attachment, status });
    this.keys = new KeyRelay(o.escapeChar, (command) =>
      handleEscape(command, {
        detach: () => this.engine.detach(),
        redial: () => this.engine.redialNow('reconnect requested (~R)'),
        terminal: o.terminal,
        escapeChar: o.escapeChar,
        forwards: o.linkHooks?.describe,
      }),
    );
  }

  run(): Promise<InteractiveResult> {
    const t = this.o.terminal;
    t.onInput((data) => this.keys.typed(data, this.engine.phase === 'attached' ? this.attachment.channel : undefined));
    t.onResize((cols, rows) => this.attachment.channel?.setWindow(rows, cols, 0, 0));
    return this.engine.run();
  }

  /** Leaves the session running on the server and ends this client (e.g. on SIGTERM). */
  leave(reason: string): void {
    this.engine.detach(reason);
  }

  private statusState(): StatusState {
    const s = this.engine.snapshot();
    return {
      phase: s.phase === 'doubt' ? 'doubt' : s.dialing ? 'attaching' : 'reconnecting',
      sinceContactMs: s.sinceContactMs,
      attempt: s.attempt,
      nextAttemptInMs: s.nextAttemptInMs,
      lastError: s.lastReason || undefined,
      escapeChar: this.o.escapeChar,
      cause: this.o.statusCause?.(s.sinceContactMs),
    };
  }
}

/** A shell's attach: a pty exec channel running the shim's create-or-attach. */
class PtyAttachment implements Attachment {
  channel: ClientChannel | undefined;
  /** The session exists on the server: later attaches must not create it again. */
  private created = false;
  /**
   * Text view under tmux: the multiplexer's drawing is not shown, from `attached` until
   * the `text` report that the session's text follows (docs/DECISIONS.md).
   */
  private drawingHidden = false;
  private link: AttachLink | undefined;

  constructor(
    private readonly o: InteractiveOptions,
    private readonly flushKeys: () => void,
  ) {}

  attach(conn: Connection, link: AttachLink): void {
    this.link = link;
    void this.open(conn, link);
  }

  linkDropped(): void {
    this.channel = undefined;
    this.link = undefined;
  }

  linkBack(): void {
    this.flushKeys();
    if (this.channel) repaintScreen(this.channel, this.o.terminal.size());
  }

  private async open(conn: Connection, link: AttachLink): Promise<void> {
    const { cols, rows } = this.o.terminal.size();
    // Until this channel's `attached`: a session's text sent before it is shown.
    this.drawingHidden = false;
    try {
      const channel = await openAttach(conn, { ...this.o.attach, create: this.o.attach.create && !this.created, cols, rows }, {
        output: (data) => {
          if (link.current && !this.drawingHidden) this.o.terminal.write(data);
        },
        report: (r) => {
          if (link.current) this.onReport(r, link);
        },
        closed: (status) => {
          // The shim always reports before it ends; a channel that closes without a report
          // while the link is up means the shim could not run at all.
          if (link.current && !conn.closed) link.failed(`the remote session ended unexpectedly (status ${status ?? 'unknown'})`, false);
        },
      });
      if (!link.current) return void channel.close();
      this.channel = channel;
      // A resize while the channel was being opened found no channel to tell (and the pty
      // was asked for at the old size): send the size of now, or the session keeps the old
      // one until the next resize.
      const now = this.o.terminal.size();
      if (now.cols !== cols || now.rows !== rows) channel.setWindow(now.rows, now.cols, 0, 0);
    } catch (err) {
      link.failed(`could not start the session: ${(err as Error).message}`, true);
    }
  }

  private onReport(r: ShimReport, link: AttachLink): void {
    switch (r.t) {
      case 'attached': {
        const first = !this.created;
        this.created = true;
        this.drawingHidden = this.o.attach.view === 'text' && r.mux === 'tmux';
        if (r.expired && first) {
          this.o.notice(`stayssh: ended ${r.expired.length} detached session(s) idle longer than SessionIdleExpiry: ${r.expired.join(' ')}`);
        }
        if (r.others > 0 && first && this.o.listCommand !== null) {
          this.o.notice(`stayssh: ${r.others} other detached session(s) on this host: ${this.o.listCommand ?? `stayssh --list ${this.o.connector.config.originalHost}`}`);
        }
        link.attached();
        this.flushKeys();
        break;
      }
      case 'text':
        this.drawingHidden = false;
        break;
      case 'exit':
        link.exited(r.status);
        break;
      case 'detached':
        link.detached();
        break;
      case 'gone':
        link.gone();
        break;
      case 'error':
        link.failed(r.message, false);
        break;
      default:
        break;
    }
  }
}
