/**
 * The shim: one POSIX sh script, sent inline with every operation (`sh -c SCRIPT
 * stayssh-shim OP ARGS...`), so nothing has to be installed on the server and one exec
 * does create-or-attach and its reports (DESIGN "Where the time goes").
 *
 * Its source is shell, written for people: src/remote/shim.sh and shim-manage.sh, with the
 * tmux and screen adapters (shim-tmux.sh, shim-screen.sh), the session wrapper
 * (session-wrapper.sh) and what it shares with the stream script (common.sh). `npm run build` compacts it into
 * the transport form (scripts/compact-shell.mjs, docs/SERVER-SCRIPTS.md): ONE line with
 * NO backslash, because it travels inside single quotes through the user's login shell,
 * whatever that is (csh rejects newlines inside quotes, fish reads `\\` and `\'` inside
 * them). The few `'` it contains become `'\''` when quoted, which every shell reads
 * right. Tests check all of this.
 */
import { SHIM_TRANSPORT } from './shim.generated.js';

/** The shim, ready to be single-quoted into an exec command line. */
export const SHIM_SCRIPT: string = SHIM_TRANSPORT;
