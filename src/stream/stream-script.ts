/**
 * The remote half of stream mode: one POSIX sh script (dash, bash, busybox sh), sent
 * inline with every operation as `exec sh -c SCRIPT stayssh-stream OP ARGS...`, so
 * nothing is installed on the server (stream-commands.ts builds those lines).
 *
 * Its source is shell, written for people: src/stream/stream.sh (the operations'
 * contract, the session directory, the tunables), stream-runner.sh and stream-ops.sh,
 * with src/remote/common.sh in front. `npm run build` compacts it into the transport form
 * (scripts/compact-shell.mjs, docs/SERVER-SCRIPTS.md): ONE line without a backslash, like
 * the shim's.
 */
import { STREAM_TRANSPORT } from './stream.generated.js';

export const STREAM_SCRIPT: string = STREAM_TRANSPORT;
