/**
 * The keyboard side of an interactive session: escapes taken out of the keys (docs/BEHAVIOUR.md §4),
 * the rest sent at once while the session is attached, kept (up to 4 KiB) while it is
 * not, and sent when it is back.
 */
import type { ClientChannel } from 'ssh2';
import { sendKeys } from '../transport/channel-send.js';
import { EscapeParser } from '../terminal/escape-parser.js';
import type { EscapeCommand } from './escape-actions.js';
import { OutageBuffer } from './outage-buffer.js';

export class KeyRelay {
  private readonly escapes: EscapeParser;
  private readonly pending = new OutageBuffer();

  constructor(
    escapeChar: string,
    private readonly onEscape: (command: EscapeCommand) => void,
  ) {
    this.escapes = new EscapeParser(escapeChar);
  }

  /** Keys typed; `to` is the session's channel while attached, undefined while not. */
  typed(data: Buffer, to: ClientChannel | undefined): void {
    for (const item of this.escapes.push(data)) {
      if (item.kind === 'command') this.onEscape(item.command);
      else if (to) sendKeys(to, item.data);
      else this.pending.push(item.data);
    }
  }

  /** The session is back (reattached, or the link answered after doubt): send what was kept. */
  flush(to: ClientChannel | undefined): void {
    const keys = this.pending.drain();
    if (keys.length && to) sendKeys(to, keys);
  }
}
