# shellcheck shell=sh
# The shim: one POSIX sh script, sent inline with every operation
#
#   exec sh -c SHIM stayssh-shim OP ARGS...
#
# so nothing has to be installed on the server, and one exec does create-or-attach and
# its reports. The client builds those lines (src/remote/shim.ts), quoting every
# argument; the script is assembled from common.sh, shim-tmux.sh, shim-screen.sh,
# shim-manage.sh (list, kill, probe) and this file (helpers, attach, the dispatch on OP),
# and compacted to one line (scripts/compact-shell.mjs, docs/SERVER-SCRIPTS.md).
#
# Operations (each answers with report frames, ESC ]7777;stayssh;KEY=VALUE... BEL, on
# stdout; src/remote/report-codec.ts reads them):
#   attach NAME MUX CREATE EXPIRY VIEW COMMAND [VAR=VALUE...]
#                                                          create-or-attach, in a terminal
#   list [MUX]                                             a `session` report per session
#   kill NAME                                              end a session
#   prune AGE                                              end detached sessions older
#                                                          than AGE seconds
#   probe                                                  which multiplexers, which versions
# An error is a report `t=error code=...` and exit status 2.
#
# Layout on the server: $SHIM_STATE = ${XDG_STATE_HOME:-$HOME/.local/state}/stayssh,
# $SHIM_STATE/sessions/NAME/{mux,created,used,cmd,env,exit,screen,text} (0700),
# $SHIM_STATE/screenrc,
# $SHIM_STATE/agent.sock (-A). A session runs the session wrapper (session-wrapper.sh),
# which reads its command and environment from those files and writes `exit`.
#
# Set in front of this script by the build:
#   SHIM_ESC, SHIM_BEL     raw ESC and BEL bytes for the report frames (printf '\033'
#                          would need a backslash, which the transport form cannot carry)
#   SHIM_SESSION_WRAPPER   session-wrapper.sh, compacted

# ---- Tunables ----
# Where tmux and screen may live besides $PATH: non-login exec shells often lack those
# directories (Homebrew, MacPorts, pkgsrc, /usr/local).
SHIM_EXTRA_PATH=/usr/local/bin:/opt/homebrew/bin:/opt/local/bin:/usr/pkg/bin

# ---- Reports and small helpers ----

# Once the attach has the client's nonce, its reports carry it (n=...), which binds them
# to this attach: output of the session's programs passes through the same terminal and
# could hold a frame of its own, but cannot know the nonce (docs/BEHAVIOUR.md §7). The
# one report before it, `attached` or an error, is bound by its place instead: the first
# frame on a fresh channel, written before the multiplexer has the terminal.
report() {
  if [ -n "$SHIM_NONCE" ]; then
    printf '%s]7777;stayssh;n=%s %s%s' "$SHIM_ESC" "$SHIM_NONCE" "$*" "$SHIM_BEL"
  else
    printf '%s]7777;stayssh;%s%s' "$SHIM_ESC" "$*" "$SHIM_BEL"
  fi
}

# The nonce: 32 hex digits the client sends with its go-ahead, never in argv or the
# environment (both readable by the user's other processes in /proc). It arrives after
# the `attached` report, when the terminal is already raw and without echo, so it is never
# echoed. Read raw (dd, not read: see the go-ahead below). Anything else leaves it empty,
# and the client then drops every later report.
SHIM_NONCE=
read_nonce() {
  SHIM_NONCE=$(dd bs=1 count=32 2>/dev/null)
  case $SHIM_NONCE in
    *[!0-9a-f]*) SHIM_NONCE= ;;
  esac
  [ ${#SHIM_NONCE} = 32 ] || SHIM_NONCE=
}

# The terminal's modes for the session: those the attach started with, and echo on (a
# client may ask for the pty without it).
session_modes() {
  stty "$1" 2>/dev/null
  stty echo 2>/dev/null
}

# Lowercase hex of stdin: how text that may hold anything travels inside a report.
to_hex() {
  od -An -v -tx1 | tr -dc 0123456789abcdef
}

# Reports error CODE $1 with message $2 and detail $3, and ends the shim with status 2.
fail() {
  report t=error "code=$1" "message_x=$(printf %s "$2" | to_hex)" "detail_x=$(printf %s "$3" | to_hex)"
  exit 2
}

no_mux() {
  fail no-mux "$1 found on the server"
}

# A newline, without writing one: $(...) strips only the trailing newlines, x keeps it.
SHIM_NL=$(echo; echo x)
SHIM_NL=${SHIM_NL%x}

# printf, not echo: dash's echo would interpret backslashes in the data.
print_lines() {
  # shellcheck disable=SC2059 # the format is "%s" and a newline, which has to be a variable
  printf "%s$SHIM_NL" "$@"
}

have() {
  command -v "$1" >/dev/null 2>&1
}

# True if there is a terminfo entry for $1: tmux refuses to attach to a terminal it
# cannot describe.
has_terminfo() {
  [ -n "$1" ] || return 1
  has_terminfo_rest=${1#?}
  has_terminfo_first=${1%"$has_terminfo_rest"}
  for has_terminfo_dir in "$HOME/.terminfo" /etc/terminfo /lib/terminfo /usr/share/terminfo /usr/lib/terminfo; do
    [ -r "$has_terminfo_dir/$has_terminfo_first/$1" ] && return 0
  done
  have infocmp && infocmp "$1" >/dev/null 2>&1
}

# ---- The environment ----

# Started from inside tmux or screen (a user's nested setup, or tests): never talk to that one.
unset TMUX TMUX_PANE STY WINDOW
# The PATH a new session gets is the login's own.
SHIM_PATH=$PATH
PATH=$PATH:$SHIM_EXTRA_PATH
case $XDG_STATE_HOME in
  /*) SHIM_STATE=$XDG_STATE_HOME/stayssh ;;
  *) SHIM_STATE=$HOME/.local/state/stayssh ;;
esac

# ---- attach ----

# True if session $1 lives in multiplexer $2.
session_alive() {
  "${2}_has" "$1"
}

# The multiplexer of session $1 (state dir $2) in choose_mux: the one already holding it,
# with choose_mux_alive=1 when the session lives (a re-attach then asks no second time);
# else the one requested in $3 (auto, tmux or screen).
choose_mux() {
  choose_mux=
  choose_mux_alive=
  [ -r "$2/mux" ] && read -r choose_mux <"$2/mux"
  case $choose_mux in
    tmux | screen) have "$choose_mux" && session_alive "$1" "$choose_mux" && choose_mux_alive=1 && return ;;
    stream) fail bad-args "$1 is a stream session (a command without a terminal)" ;;
  esac
  case $3 in
    auto)
      if have tmux; then
        choose_mux=tmux
      elif have screen; then
        choose_mux=screen
      else
        no_mux "neither tmux nor screen"
      fi
      ;;
    tmux | screen)
      choose_mux=$3
      have "$choose_mux" || no_mux "$choose_mux not"
      ;;
    *) fail bad-args "unknown multiplexer $3" ;;
  esac
}

# A new session's state dir $1 for multiplexer $2, command $3 and environment VAR=VALUE...
make_state_dir() {
  make_state_dir_path=$1
  make_state_dir_mux=$2
  make_state_dir_command=$3
  shift 3
  rm -rf "$make_state_dir_path"
  (umask 077; mkdir -p "$make_state_dir_path") || fail mux-failed "cannot create $make_state_dir_path"
  print_lines "$make_state_dir_mux" >"$make_state_dir_path/mux"
  date +%s >"$make_state_dir_path/created"
  printf %s "$make_state_dir_command" >"$make_state_dir_path/cmd"
  print_lines "PATH=$SHIM_PATH" "SHELL=$SHELL" "$@" >"$make_state_dir_path/env"
}

# The session in state dir $1 has ended: report its status, forget it, and end with it.
report_exit() {
  report_exit_status=
  read -r report_exit_status <"$1/exit"
  is_number "$report_exit_status" || report_exit_status=255
  rm -rf "$1"
  report t=exit "status=$report_exit_status"
  exit "$report_exit_status"
}

# The agent link points at the socket sshd made for this attach's link, a path that
# outlives the link as a name other users on the server may create (/tmp/ssh-*/agent.*).
# When the attach ends, the link is pointed at a path in the private state dir instead,
# unless a newer attach has taken it meanwhile (docs/BEHAVIOUR.md §7).
release_agent() {
  [ -n "$attach_agent" ] || return 0
  [ "$(readlink "$attach_agent" 2>/dev/null)" = "$attach_agent_socket" ] || return 0
  ln -sf "$SHIM_STATE/agent.none" "$attach_agent"
}

# In the text view (the client's output is a pipe or a file, where a multiplexer's
# drawing is noise), the ended session's text follows a `text` report: tmux's history
# and last screen, as the session's wrapper kept them (state dir $1). The client shows
# nothing of the drawing before it.
session_text() {
  [ "$attach_view" = text ] || return 0
  # Before an attach (the session ended while none was) there is no drawing to mark the
  # end of, and no nonce yet: the only frame allowed without it is the exit that follows.
  [ -n "$SHIM_NONCE" ] && report t=text
  [ -s "$1/text" ] && print_lines "$(cat "$1/text")"
  return 0
}

# Records now as the last use of the session of state dir $1 (when it still has one):
# SessionIdleExpiry counts a detached session's idle time from there (docs/BEHAVIOUR.md §6).
mark_used() {
  [ -d "$1" ] || return 0
  { date +%s >"$1/used"; } 2>/dev/null
  return 0
}

# The attach ends: by the multiplexer's client returning, or by a hang-up or TERM.
attach_ended() {
  release_agent
  mark_used "$attach_dir"
}

# Prints how many detached sessions other than $1 the user has, both multiplexers.
count_other_sessions() {
  { tmux_list; screen_list; } | {
    count_other_sessions_count=0
    while read -r _ count_other_sessions_attached _ count_other_sessions_name _; do
      [ "$count_other_sessions_attached" = 0 ] && [ "$count_other_sessions_name" != "$1" ] && count_other_sessions_count=$((count_other_sessions_count + 1))
    done
    print_lines "$count_other_sessions_count"
  }
}

# attach NAME MUX CREATE EXPIRY VIEW COMMAND [VAR=VALUE...]: reports `attached` (or an
# error) before the multiplexer takes the terminal, then `exit`, `detached` or `gone`
# after it. A run's first attach (CREATE=1) with an EXPIRY other than 0 first ends the
# other detached sessions unused for more than EXPIRY seconds (SessionIdleExpiry).
# VIEW is `text` when the client's output is not a terminal: see session_text.
attach() {
  [ $# -ge 6 ] || fail bad-args "attach needs NAME MUX CREATE EXPIRY VIEW CMD"
  attach_name=$1
  attach_requested_mux=$2
  attach_create=$3
  attach_expiry=$4
  attach_view=$5
  attach_command=$6
  shift 6
  valid_session_name "$attach_name" || fail bad-name "invalid session name"
  is_number "$attach_expiry" || fail bad-args "attach needs EXPIRY in seconds"
  case $attach_view in screen | text) ;; *) fail bad-args "unknown view $attach_view" ;; esac
  # The VAR=VALUE arguments that can be carried (a valid name, no newline) stay in "$@",
  # for a new session's environment, and go into this one (the attach client's locale).
  for attach_variable; do
    shift
    case ${attach_variable%%=*} in "" | [0-9]* | *[!${ALNUM}_]*) continue ;; esac
    case $attach_variable in *=*) ;; *) continue ;; esac
    case $attach_variable in *"$SHIM_NL"*) continue ;; esac
    set -- "$@" "$attach_variable"
    export "${attach_variable?}"
  done

  attach_dir=$SHIM_STATE/sessions/$attach_name
  choose_mux "$attach_name" "$attach_dir" "$attach_requested_mux"
  attach_mux=$choose_mux
  attach_created=0
  if [ -z "$choose_mux_alive" ] && ! session_alive "$attach_name" "$attach_mux"; then
    # It ended while no client was attached: its status waits in the state dir.
    [ -f "$attach_dir/exit" ] && [ "$attach_create" != 1 ] && session_text "$attach_dir" && report_exit "$attach_dir"
    [ "$attach_create" = 1 ] || { rm -rf "$attach_dir"; fail no-session "no session named $attach_name"; }
    attach_created=1
  fi
  [ -t 0 ] || fail mux-failed "attach needs a terminal"

  # Agent forwarding (-A): sshd makes a socket per link, gone with it; the session gets a
  # stable path, pointed at the newest forwarded socket on every attach.
  attach_agent=$SHIM_STATE/agent.sock
  [ -S "$SSH_AUTH_SOCK" ] || attach_agent=
  [ -n "$attach_agent" ] && set -- "$@" "SSH_AUTH_SOCK=$attach_agent"
  [ $attach_created = 1 ] && make_state_dir "$attach_dir" "$attach_mux" "$attach_command" "$@"
  mark_used "$attach_dir"
  attach_agent_socket=$SSH_AUTH_SOCK
  if [ -n "$attach_agent" ] && ln -sf "$attach_agent_socket" "$attach_agent"; then
    export SSH_AUTH_SOCK="$attach_agent"
  else
    attach_agent=
  fi
  # A hang-up (the link died) ends the shim here too: the agent link is re-pointed and
  # the end of the attach recorded then as well.
  trap 'attach_ended; exit 129' HUP
  trap 'attach_ended; exit 143' TERM

  # At a run's first attach (CREATE=1), in the same exec: the sessions idle past EXPIRY
  # are ended, then the other detached ones counted for the client's notice. A re-attach
  # (CREATE=0) does neither, and skips their execs (`tmux ls`, `screen -ls`).
  attach_expired=
  attach_others=0
  if [ "$attach_create" = 1 ]; then
    [ "$attach_expiry" -gt 0 ] && attach_expired=$(end_old_sessions used "$attach_expiry" "$attach_name")
    attach_others=$(count_other_sessions "$attach_name")
  fi
  has_terminfo "$TERM" || {
    if has_terminfo xterm-256color; then TERM=xterm-256color; else TERM=xterm; fi
    export TERM
  }

  # After this report, wait for one byte from the client: tmux flushes the pty's unread
  # output when it takes the terminal (tcflush TCOFLUSH), which under load ate the report.
  # Raw from before the report until the multiplexer has the terminal, so keys sent right
  # behind the byte (typed during the outage, ^C too) reach it unechoed and raise no
  # signal here. The modes go back after it, or before a new screen session (screen
  # copies them into its windows; tmux takes only the control characters). dd, not read:
  # bash's read takes more than its line from a raw tty, swallowing the keys behind it.
  attach_modes=$(stty -g)
  stty raw -echo
  report t=attached "name=$attach_name" "mux=$attach_mux" "created=$attach_created" "others=$attach_others" "expired_x=$(printf %s "$attach_expired" | to_hex)"
  # The client answers the report with the nonce and the go-ahead, in one write: reading
  # the nonce here costs no round trip of its own.
  read_nonce
  dd bs=1 count=1 >/dev/null 2>&1
  [ "$attach_mux$attach_created" = screen1 ] && session_modes "$attach_modes"

  # A new session is created attached: a short command's output is seen, and the shell
  # starts at the terminal's size. Lost a creation race: attach to the winner's.
  if [ $attach_created = 1 ]; then
    "${attach_mux}_new" "$attach_name" "$attach_dir" || { session_alive "$attach_name" "$attach_mux" && "${attach_mux}_attach" "$attach_name"; }
  else
    "${attach_mux}_attach" "$attach_name"
  fi
  attach_status=$?
  session_modes "$attach_modes"
  attach_ended

  if [ -f "$attach_dir/exit" ]; then
    if [ "$attach_view$attach_mux" = texttmux ]; then
      session_text "$attach_dir"
    else
      # screen's "[screen is terminating]": cursor up, erase the line.
      [ "$attach_mux" = screen ] && printf '%s[A%s[2K' "$SHIM_ESC" "$SHIM_ESC"
      # The last screen of a tmux session, which tmux cleared when its client ended.
      [ -s "$attach_dir/screen" ] && print_lines "$(cat "$attach_dir/screen")"
    fi
    report_exit "$attach_dir"
  fi
  if session_alive "$attach_name" "$attach_mux"; then
    [ $attach_status = 0 ] || fail mux-failed "$attach_mux attach failed (status $attach_status)"
    report t=detached
    exit 0
  fi
  rm -rf "$attach_dir"
  [ $attach_status = 0 ] || fail mux-failed "$attach_mux failed (status $attach_status)"
  report t=gone
  exit 255
}

# ---- The operation ----

SHIM_OPERATION=$1
[ $# -gt 0 ] && shift
case $SHIM_OPERATION in
  attach) attach "$@" ;;
  list) list_sessions "$@" ;;
  kill) kill_session "$@" ;;
  prune) prune "$@" ;;
  probe) probe ;;
  *) fail bad-args "unknown operation $SHIM_OPERATION" ;;
esac
