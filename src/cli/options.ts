/** Everything the command line says, typed. Config files are merged later (config/). */

import type { MuxChoice } from '../contracts/mux.js';
import type { CompletionShell } from './program.js';

export type { MuxChoice };

export interface CliOptions {
  /** The words as given, for the command lines we print back (resume-hint.ts). */
  argv: readonly string[];
  destination: string | undefined;
  /** Remote command words, joined with spaces for the remote shell exactly as ssh does. */
  command: string[];
  port: number | undefined;
  login: string | undefined;
  configFile: string | undefined;
  /** `-o` pairs and the flags that are shorthands for config keywords, in command-line order. */
  sshOptions: Array<[string, string]>;
  /** Number of `-t` given (2 = force a tty even without a local one). */
  forceTty: number;
  disableTty: boolean;
  noCommand: boolean;
  quiet: boolean;
  verbose: number;
  /** `-V`: print the version on stderr and exit, as ssh does. */
  printVersion: boolean;
  /** `-G`: print the resolved configuration and exit (print-config.ts). */
  printConfig: boolean;
  /** `-Q QUERY`: list the algorithms of a kind and exit (openssh-flags.ts). */
  query: string | undefined;
  /** `-E FILE`: warnings, notices and -v lines appended there instead of stderr. */
  logFile: string | undefined;
  /** `-n`: stdin from /dev/null. */
  stdinNull: boolean;
  /** `-c` / `-m`: cipher and MAC specs, as ssh(1) takes them (transport/algorithms.ts). */
  cipherSpec: string | undefined;
  macSpec: string | undefined;
  // stayssh's own options (docs/BEHAVIOUR.md §1); undefined means "not given on the command line".
  session: string | undefined;
  list: boolean;
  json: boolean;
  /**
   * `--kill`: the names to end (each `--kill NAME`, then the words after the destination),
   * or `[]` with `--detached`; undefined without `--kill`.
   */
  kill: string[] | undefined;
  /** `--kill --detached`: end the sessions no client is attached to... */
  killDetached: boolean;
  /** ...created more than this long ago (`--older-than`, ms; 0 when not given). */
  olderThanMs: number;
  mux: MuxChoice | undefined;
  maxAttempts: number | undefined;
  giveUpAfterMs: number | undefined;
  backoffMaxMs: number | undefined;
  onDisconnect: string | undefined;
  onReconnect: string | undefined;
  onGiveUp: string | undefined;
  events: string | undefined;
  remember: boolean;
  /** SessionIdleExpiry, from the stayssh config file only (ms). */
  sessionIdleExpiryMs: number | undefined;
  forget: boolean;
  demo: boolean;
  /** `--completion SHELL`: print that shell's completion script and exit (completion.ts). */
  completion: CompletionShell | undefined;
}
