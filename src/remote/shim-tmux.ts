/**
 * The tmux adapter of the shim: sh functions with the contract every adapter follows
 * (see shim-script.ts). `$n` is the session name, `$D` its state dir, `$R` the wrapper.
 *
 * - tmux_ls            one line per session: `tmux ATTACHED CREATED NAME -`
 * - tmux_has NAME      true if the session lives
 * - tmux_new           create session $n running the wrapper, and attach to it
 * - tmux_att           attach to $n in this terminal, detaching any stale client
 * - tmux_kill          end session $n
 *
 * Quirks (tmux 3.3a):
 * - new-session turns `.` and `:` in a name into `_`, so `a.b` and `a_b` would collide;
 *   we name the tmux session with `.` mapped to `,` (outside the name alphabet and not
 *   special in targets) and map it back when listing.
 * - `-t NAME` is a prefix/pattern match; `=NAME` is exact.
 * - An unknown option anywhere in a `;`-chained command line aborts the whole line, and
 *   an argument *ending* in `;` is taken as a separator: so no user data (command, env)
 *   ever goes through tmux's argv; the wrapper reads it from the state dir.
 * - Options are set in the same invocation that starts the server, before new-session,
 *   because history-limit and default-terminal are read when the pane is created.
 * - No key tables are emptied: with `prefix None`, `prefix2 None` and `mouse off` no
 *   binding is reachable (the root table holds only mouse bindings, copy mode is entered
 *   only through the prefix table). `unbind -a` on a server with attached clients crashes
 *   it (all sessions gone), and "only on a server we start" cannot be made safe: two
 *   shims creating sessions at the same moment both see no server and both unbind. That
 *   race ended sessions; a test creates three at once.
 * - The attach client prints `[exited]` / `[detached ...]` on its stdout, while the
 *   terminal itself is driven through the fd it got as stdin: stdout to /dev/null hides
 *   those lines, so the end of a session looks like plain ssh.
 */
export const TMUX_ADAPTER = `
T(){ tmux -L stayssh "$@";};
tm(){ t=$1;while case $t in *.*) :;; *) false;; esac;do t=\${t%%.*},\${t#*.};done;};
tmux_ls(){ h tmux&&T ls -F "tmux #{session_attached} #{session_created} #{session_name} -" 2>/dev/null|tr , .;};
tmux_has(){ tm "$1";h tmux&&T has-session -t "=$t" 2>/dev/null;};
# default-terminal: tmux-256color where the server knows it, else the old safe choice.
tmux_new(){ tm "$n";ti tmux-256color&&y=tmux-256color||y=screen-256color;
T -f /dev/null set -g status off ";" set -g prefix None ";" set -g prefix2 None ";"
 set -g escape-time 0 ";" set -g history-limit 50000 ";" set -g terminal-overrides "*:smcup@:rmcup@" ";"
 set -g set-titles off ";" set -g mouse off ";" set -g destroy-unattached off ";" set -g exit-empty on ";"
 set -g aggressive-resize on ";" set -g window-size latest ";" set -g remain-on-exit off ";"
 set -g default-terminal $y ";" new-session -s "$t" -- sh -c "$R" stayssh-run "$D" >/dev/null;};
tmux_att(){ tm "$n";T attach-session -d -t "=$t" >/dev/null;};
tmux_kill(){ tm "$n";T kill-session -t "=$t";};
`;
