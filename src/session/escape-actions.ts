/** What the escape commands of docs/BEHAVIOUR.md §4 do in an interactive session. */
import { helpText } from '../terminal/escape-parser.js';
import type { TerminalPort } from '../contracts/terminal-port.js';

export type EscapeCommand = 'detach' | 'suspend' | 'list-forwards' | 'help' | 'redial';

export interface EscapeContext {
  detach(): void;
  redial(): void;
  terminal: TerminalPort;
  escapeChar: string;
  /** Lines describing open forwarded connections (`~#`). */
  forwards?: () => string[];
}

/** The terminal is in raw mode: lines need CR LF. */
function say(t: TerminalPort, text: string): void {
  t.stderr.write(text.replace(/\r?\n/g, '\r\n'));
}

export function handleEscape(command: EscapeCommand, ctx: EscapeContext): void {
  switch (command) {
    case 'detach':
      ctx.detach();
      break;
    case 'redial':
      say(ctx.terminal, `${ctx.escapeChar}R\nstayssh: reconnecting...\n`);
      ctx.redial();
      break;
    case 'suspend':
      ctx.terminal.suspend();
      break;
    case 'help':
      say(ctx.terminal, `${ctx.escapeChar}?\n`);
      ctx.terminal.stderr.write(helpText(ctx.escapeChar)); // already CR LF
      break;
    case 'list-forwards': {
      const lines = ctx.forwards?.() ?? [];
      say(ctx.terminal, `${ctx.escapeChar}#\nThe following connections are open:\n${lines.length ? lines.join('\n') : '  (none)'}\n`);
      break;
    }
  }
}
