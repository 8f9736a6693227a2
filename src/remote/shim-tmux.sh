# shellcheck shell=sh
# The tmux adapter of the shim (shim.sh). Every adapter defines the same five functions,
# which the shim calls as "${mux}_list" and so on:
#
#   tmux_list           one line per session: `tmux ATTACHED CREATED NAME -`
#   tmux_has NAME       true if session NAME lives
#   tmux_new NAME DIR   create session NAME, running the session wrapper on its state dir
#                       DIR, attached to this terminal
#   tmux_attach NAME    attach to NAME in this terminal, detaching any stale client
#   tmux_kill NAME      end session NAME
#
# Quirks (tmux 3.3a):
# - new-session turns `.` and `:` in a name into `_`, so `a.b` and `a_b` would collide:
#   see tmux_target_name.
# - `-t NAME` is a prefix/pattern match; `=NAME` is exact.
# - An unknown option anywhere in a `;`-chained command line aborts the whole line, and
#   an argument *ending* in `;` is taken as a separator: so no user data (command, env)
#   ever goes through tmux's argv; the session wrapper reads it from the state dir.
# - No key tables are emptied: with `prefix None`, `prefix2 None` and `mouse off` no
#   binding is reachable (the root table holds only mouse bindings, copy mode is entered
#   only through the prefix table). `unbind -a` on a server with attached clients crashes
#   it (all sessions gone), and "only on a server we start" cannot be made safe: two
#   shims creating sessions at the same moment both see no server and both unbind. That
#   race ended sessions; a test creates three at once.
# - The attach client prints `[exited]` / `[detached ...]` on its stdout, while the
#   terminal itself is driven through the fd it got as stdin: stdout to /dev/null hides
#   those lines, so the end of a session looks like plain ssh.

# ---- Tunables ----
# Lines of scrollback tmux keeps per session (the local terminal keeps its own too).
SHIM_TMUX_HISTORY_LIMIT=50000

# tmux on stayssh's own server socket: never the user's own tmux server.
tmux_run() {
  tmux -L stayssh "$@"
}

# The tmux name of session $1, in tmux_target_name: `.` becomes `,` (outside the name
# alphabet and not special in targets); tmux_list maps it back.
tmux_target_name() {
  tmux_target_name=$1
  while :; do
    case $tmux_target_name in
      *.*) tmux_target_name=${tmux_target_name%%.*},${tmux_target_name#*.} ;;
      *) return 0 ;;
    esac
  done
}

tmux_list() {
  have tmux && tmux_run ls -F "tmux #{session_attached} #{session_created} #{session_name} -" 2>/dev/null | tr , .
}

tmux_has() {
  tmux_target_name "$1"
  have tmux && tmux_run has-session -t "=$tmux_target_name" 2>/dev/null
}

# Options are set in the same invocation that starts the server, before new-session:
# history-limit and default-terminal are read when the pane is created.
tmux_new() {
  tmux_target_name "$1"
  tmux_new_dir=$2
  # default-terminal: tmux-256color where the server knows it, else the old safe choice.
  if has_terminfo tmux-256color; then
    tmux_new_terminal=tmux-256color
  else
    tmux_new_terminal=screen-256color
  fi
  set -- -f /dev/null
  # It must look like plain ssh: no status line, no prefix key, no delay after ESC.
  set -- "$@" set -g status off ";" set -g prefix None ";" set -g prefix2 None ";"
  set -- "$@" set -g escape-time 0 ";" set -g history-limit "$SHIM_TMUX_HISTORY_LIMIT" ";"
  # Off the outer terminal's alternate screen: its own scrollback keeps the output.
  set -- "$@" set -g terminal-overrides "*:smcup@:rmcup@" ";"
  set -- "$@" set -g set-titles off ";" set -g mouse off ";" set -g destroy-unattached off ";"
  set -- "$@" set -g exit-empty on ";" set -g aggressive-resize on ";" set -g window-size latest ";"
  set -- "$@" set -g remain-on-exit off ";" set -g default-terminal "$tmux_new_terminal" ";"
  set -- "$@" new-session -s "$tmux_target_name" -- sh -c "$SHIM_SESSION_WRAPPER" stayssh-run "$tmux_new_dir"
  tmux_run "$@" >/dev/null
}

tmux_attach() {
  tmux_target_name "$1"
  tmux_run attach-session -d -t "=$tmux_target_name" >/dev/null
}

tmux_kill() {
  tmux_target_name "$1"
  tmux_run kill-session -t "=$tmux_target_name"
}
