/**
 * The Prompter of the CLI: asks on the controlling terminal (/dev/tty), as OpenSSH does,
 * or through stdin while a session reads it (prompt-guard.ts).
 */
import type { Prompter } from '../transport/prompter.js';
import { promptLine, promptSecret, promptYesNo } from '../terminal/prompt.js';
import { guardPrompter } from './prompt-guard.js';

export const ttyPrompter: Prompter = guardPrompter({
  secret: (q) => promptSecret(q),
  line: (q) => promptLine(q),
  confirmHostKey: (q) => promptYesNo(q),
});
