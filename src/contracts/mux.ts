/** The multiplexers a session can live in (docs/BEHAVIOUR.md §1 `--mux`). */
export type MuxName = 'tmux' | 'screen';
/** `auto`: the session's own multiplexer if it exists, else tmux, else screen. */
export type MuxChoice = MuxName | 'auto';
