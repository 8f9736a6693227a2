/** The Prompter of the CLI: asks on the controlling terminal (/dev/tty), as OpenSSH does. */
import type { Prompter } from '../transport/prompter.js';
import { promptLine, promptSecret, promptYesNo } from '../terminal/prompt.js';

export const ttyPrompter: Prompter = {
  secret: (q) => promptSecret(q),
  line: (q) => promptLine(q),
  confirmHostKey: (q) => promptYesNo(q),
};
