/**
 * Text that came from the other end (a disconnect reason, an error message, a
 * keyboard-interactive prompt or its instructions), made safe to print and to hand to a
 * hook: every control character becomes a visible `\ooo` octal escape, as OpenSSH's
 * strnvis(VIS_SAFE | VIS_OCTAL) shows them, so an unauthenticated peer cannot move the
 * cursor, retitle the window or smuggle an OSC sequence into the user's terminal or into
 * STAYSSH_REASON (docs/BEHAVIOUR.md §7).
 */

/** C0 controls, DEL, and the C1 range as code points (U+0080–U+009F). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

const octal = (c: string): string => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`;

/** One line: every control character escaped, newlines and tabs included. */
export function printableLine(text: string): string {
  return text.replace(CONTROL, octal);
}

/** Several lines (prompt instructions): tabs and newlines kept, CR and the rest escaped. */
export function printableText(text: string): string {
  return text.replace(CONTROL_BUT_LINES, octal);
}
