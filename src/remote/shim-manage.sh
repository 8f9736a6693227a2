# shellcheck shell=sh
# The shim's operations besides attach (part of the shim: see shim.sh): list, kill,
# prune and probe, and the pruning of idle sessions that a run's first attach does. They
# answer with report frames and need no terminal.

# ---- Tunables ----
# A state dir whose session is not (or no longer) there is kept this many seconds after
# its creation by `list`: a session is being created in it right now.
SHIM_YOUNG_DIR_S=30

# ---- list ----

# The creation time of the session in state dir $1, in session_created_time: from its
# `created` file, else $2; 0 when that is no number either.
session_created_time() {
  session_created_time=$2
  [ -r "$1/created" ] && read -r session_created_time <"$1/created"
  is_number "$session_created_time" || session_created_time=0
}

# list [MUX]: one `session` report per session of MUX (auto: both), then stale state
# dirs are pruned.
list_sessions() {
  list_sessions_mux=${1:-auto}
  case $list_sessions_mux in
    auto) have tmux || have screen || no_mux "neither tmux nor screen" ;;
    tmux | screen) have "$list_sessions_mux" || no_mux "$list_sessions_mux not" ;;
    *) fail bad-args "unknown multiplexer $list_sessions_mux" ;;
  esac
  list_sessions_now=$(date +%s)
  {
    [ "$list_sessions_mux" = screen ] || tmux_list
    [ "$list_sessions_mux" = tmux ] || screen_list
  } | {
    report_sessions
    prune_state_dirs "$list_sessions_mux" "$list_sessions_now" "$report_sessions_seen"
  }
}

# Reports a `session` for each line of "${mux}_list" on stdin; report_sessions_seen lists
# them as " MUX/NAME MUX/NAME ".
report_sessions() {
  report_sessions_seen=" "
  while read -r report_sessions_mux report_sessions_attached report_sessions_created report_sessions_name _; do
    valid_session_name "$report_sessions_name" || continue
    report_sessions_dir=$SHIM_STATE/sessions/$report_sessions_name
    session_created_time "$report_sessions_dir" "$report_sessions_created"
    if [ "$report_sessions_attached" = 0 ]; then report_sessions_state=detached; else report_sessions_state=attached; fi
    report_sessions_command=
    [ -r "$report_sessions_dir/cmd" ] && report_sessions_command=$(to_hex <"$report_sessions_dir/cmd")
    report t=session "name=$report_sessions_name" "state=$report_sessions_state" "created=$session_created_time" "mux=$report_sessions_mux" "command_x=$report_sessions_command"
    report_sessions_seen="$report_sessions_seen$report_sessions_mux/$report_sessions_name "
  done
}

# Removes the state dirs of multiplexer $1 (auto: both) whose session is gone (not in $3,
# as report_sessions_seen), at time $2: unless young (being created right now) or holding
# an exit status a reconnecting client may still come to collect (one day).
prune_state_dirs() {
  for prune_state_dirs_dir in "$SHIM_STATE"/sessions/*; do
    [ -d "$prune_state_dirs_dir" ] || continue
    prune_state_dirs_name=${prune_state_dirs_dir##*/}
    prune_state_dirs_mux=
    [ -r "$prune_state_dirs_dir/mux" ] && read -r prune_state_dirs_mux <"$prune_state_dirs_dir/mux"
    # Only a multiplexer that was listed, and that is here to ask (never a stream session).
    case $1/$prune_state_dirs_mux in
      auto/tmux | auto/screen | tmux/tmux | screen/screen) ;;
      *) continue ;;
    esac
    have "$prune_state_dirs_mux" || continue
    case $3 in *" $prune_state_dirs_mux/$prune_state_dirs_name "*) continue ;; esac
    session_created_time "$prune_state_dirs_dir" 0
    [ $(($2 - session_created_time)) -gt "$SHIM_YOUNG_DIR_S" ] || continue
    [ -f "$prune_state_dirs_dir/exit" ] && [ -z "$(find "$prune_state_dirs_dir/exit" -mtime +0)" ] && continue
    rm -rf "$prune_state_dirs_dir"
  done
}

# ---- kill, prune, probe ----

kill_session() {
  kill_session_name=$1
  valid_session_name "$kill_session_name" || fail bad-name "invalid session name"
  kill_session_dir=$SHIM_STATE/sessions/$kill_session_name
  if tmux_has "$kill_session_name"; then
    kill_session_mux=tmux
  elif screen_has "$kill_session_name"; then
    kill_session_mux=screen
  else
    rm -rf "$kill_session_dir"
    fail no-session "no session named $kill_session_name"
  fi
  "${kill_session_mux}_kill" "$kill_session_name" >/dev/null 2>&1
  rm -rf "$kill_session_dir"
  report t=killed "name=$kill_session_name"
}

# When the session of state dir $1 (created at $2 by its multiplexer's account) was last
# used, in session_used_time: the later of its creation (session_created_time) and the
# start or end of its last attach (the `used` file); 0 when neither is known.
session_used_time() {
  session_created_time "$1" "$2"
  session_used_time=$session_created_time
  session_used_time_last=
  [ -r "$1/used" ] && read -r session_used_time_last <"$1/used"
  is_number "$session_used_time_last" && [ "$session_used_time_last" -gt "$session_used_time" ] && session_used_time=$session_used_time_last
  return 0
}

# Prints `MUX NAME` for each tmux and screen session with no client attached, other
# than $3, whose age is more than $2 seconds: counted from its creation ($1 = created)
# or from its last use ($1 = used, see session_used_time). A session of unknown age is
# never old.
old_sessions() {
  old_sessions_now=$(date +%s)
  { tmux_list; screen_list; } | while read -r old_sessions_mux old_sessions_attached old_sessions_time old_sessions_name _; do
    [ "$old_sessions_attached" = 0 ] || continue
    [ "$old_sessions_name" = "$3" ] && continue
    valid_session_name "$old_sessions_name" || continue
    session_used_time "$SHIM_STATE/sessions/$old_sessions_name" "$old_sessions_time"
    old_sessions_time=$session_created_time
    [ "$1" = used ] && old_sessions_time=$session_used_time
    [ "$old_sessions_time" -gt 0 ] && [ $((old_sessions_now - old_sessions_time)) -gt "$2" ] && print_lines "$old_sessions_mux $old_sessions_name"
  done
}

# True if session $1 of multiplexer $2 lives with no client attached.
is_detached() {
  "${2}_list" | (
    while read -r _ is_detached_attached _ is_detached_name _; do
      [ "$is_detached_name" = "$1" ] && [ "$is_detached_attached" = 0 ] && exit 0
    done
    exit 1
  )
}

# Ends the sessions old_sessions prints (same arguments), each asked once more just
# before: one attached meanwhile is left alone. Prints their names.
end_old_sessions() {
  # shellcheck disable=SC2046 # MUX NAME pairs: names hold no blank and no glob character
  set -- $(old_sessions "$@")
  while [ $# -ge 2 ]; do
    is_detached "$2" "$1" && "${1}_kill" "$2" >/dev/null 2>&1 && rm -rf "$SHIM_STATE/sessions/$2" && print_lines "$2"
    shift 2
  done
}

# prune AGE: ends the tmux and screen sessions with no client attached that were created
# more than AGE seconds ago, a `killed` report for each.
prune() {
  is_number "$1" || fail bad-args "prune needs an age in seconds"
  for prune_name in $(end_old_sessions created "$1" ""); do
    report t=killed "name=$prune_name"
  done
}

probe() {
  probe_tmux=
  probe_screen=
  # "tmux 3.3a" and "Screen version 4.09.00 (GNU) 30-Jan-22", split into words.
  # shellcheck disable=SC2046
  have tmux && set -- $(tmux -V 2>&1) && probe_tmux=$2
  # shellcheck disable=SC2046
  have screen && set -- $(screen -v 2>&1) && probe_screen=$3
  # Only what a version looks like goes into the report.
  case $probe_tmux in *[!$ALNUM.-]*) probe_tmux=unknown ;; esac
  case $probe_screen in *[!$ALNUM.-]*) probe_screen=unknown ;; esac
  report t=probe "tmux=$probe_tmux" "screen=$probe_screen"
}
