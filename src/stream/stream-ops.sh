# shellcheck shell=sh
# The stream script's operations and the dispatch on OP (part of the stream script: see
# stream.sh for the operations' contract).

# ---- Tunables ----
# Largest piece poured in one go, bytes: ~60 ms at loopback speed, so exit checks stay
# timely.
STREAM_POUR_MAX_BYTES=33554432
# Idle rounds in a row the attach polls the output spools before GNU tail follows them:
# 2 naps of 5 ms and 3 of 20 ms, ~70 ms. A command that ends sooner is done without the
# tails (their execs and their --pid check cost `host true` ~20 ms); bulk output keeps
# the polling loop busy, never idle that long.
STREAM_POLL_ROUNDS=5
# Shortest naps spent waiting for the runner to write `helpers` (~1 s).
STREAM_HELPERS_ROUNDS=200

# ---- Output to the client ----

# Polls the spools and pours them from offsets $1 (out) and $2 (err) until the command
# has ended, then exits with its status; with $3, returns after that many idle rounds in
# a row. pour_polling_out and pour_polling_err: where it got to.
pour_polling() {
  pour_polling_out=$1
  pour_polling_err=$2
  pour_polling_round=0
  while :; do
    pour_polling_ended=0
    [ -f "$STREAM_DIR/exit" ] && pour_polling_ended=1
    pour_polling_out_size=$(file_size "$STREAM_DIR/out")
    pour_polling_err_size=$(file_size "$STREAM_DIR/err")
    pour_polling_moved=0
    if [ "$pour_polling_out_size" -gt "$pour_polling_out" ]; then
      pour_polling_count=$((pour_polling_out_size - pour_polling_out))
      [ $pour_polling_count -gt $STREAM_POUR_MAX_BYTES ] && pour_polling_count=$STREAM_POUR_MAX_BYTES
      pour "$STREAM_DIR/out" "$pour_polling_out" "$pour_polling_count" || exit 1
      pour_polling_out=$((pour_polling_out + pour_polling_count))
      pour_polling_moved=1
    fi
    if [ "$pour_polling_err_size" -gt "$pour_polling_err" ]; then
      pour_polling_count=$((pour_polling_err_size - pour_polling_err))
      [ $pour_polling_count -gt $STREAM_POUR_MAX_BYTES ] && pour_polling_count=$STREAM_POUR_MAX_BYTES
      pour "$STREAM_DIR/err" "$pour_polling_err" "$pour_polling_count" >&2 || exit 1
      pour_polling_err=$((pour_polling_err + pour_polling_count))
      pour_polling_moved=1
    fi
    if [ $pour_polling_moved = 1 ]; then
      pour_polling_round=0
    elif [ $pour_polling_ended = 1 ]; then
      read -r pour_polling_status <"$STREAM_DIR/exit"
      exit "$pour_polling_status"
    # The pump ends only when the channel is gone (the client never sends EOF on it): stop.
    elif ! kill -0 "$STREAM_PUMP" 2>/dev/null; then
      rm -f "$STREAM_DIR/attached"
      exit 1
    else
      pour_polling_round=$((pour_polling_round + 1))
      if [ -n "$3" ] && [ $pour_polling_round -gt "$3" ]; then return 0; fi
      wakeable_nap $pour_polling_round
    fi
  done
}

# Pours the output from offsets $1 $2 to the client until the command's end, and exits
# with its status. Polling first: best for bulk output and for a command that ends at
# once. Once the command has been quiet for STREAM_POLL_ROUNDS rounds, GNU tail follows
# each spool from there instead (inotify: output goes out as it is written, where the
# polls had grown to 300 ms apart), until the helper filling it is gone (--pid). Once
# `exit` exists both helpers are gone, so the tails are about to end. The loop watches
# only the pump (its end means the channel is gone) and the exit. Where tail cannot (not
# GNU, helpers unknown), it polls on.
pour_output() {
  pour_polling "$1" "$2" $STREAM_POLL_ROUNDS
  pour_output_out_helper=
  pour_output_err_helper=
  pour_output_round=0
  while [ ! -f "$STREAM_DIR/exit" ] && [ ! -s "$STREAM_DIR/helpers" ] && [ $pour_output_round -lt $STREAM_HELPERS_ROUNDS ]; do
    pour_output_round=$((pour_output_round + 1))
    nap 0
  done
  [ -f "$STREAM_DIR/exit" ] || read -r pour_output_out_helper pour_output_err_helper _ <"$STREAM_DIR/helpers" 2>/dev/null
  if ! is_number "$pour_output_out_helper" || ! is_number "$pour_output_err_helper" || ! tail_has_pid; then
    pour_polling "$pour_polling_out" "$pour_polling_err"
  fi
  exec_follower "$pour_polling_out" "$pour_output_out_helper" "$STREAM_DIR/out" &
  pour_output_out_tail=$!
  exec_follower "$pour_polling_err" "$pour_output_err_helper" "$STREAM_DIR/err" >&2 &
  pour_output_err_tail=$!
  pour_output_round=0
  while :; do
    if ! kill -0 "$STREAM_PUMP" 2>/dev/null; then
      kill $pour_output_out_tail $pour_output_err_tail 2>/dev/null
      rm -f "$STREAM_DIR/attached"
      exit 1
    fi
    if [ -f "$STREAM_DIR/exit" ]; then
      wait $pour_output_out_tail
      wait $pour_output_err_tail
      read -r pour_output_status <"$STREAM_DIR/exit"
      exit "$pour_output_status"
    fi
    pour_output_round=$((pour_output_round + 1))
    wakeable_nap $pour_output_round
  done
}

# ---- Operations ----

# op attach NAME OUT ERR EOF CREATE COMMAND SCRIPT (see stream.sh).
attach_stream() {
  wake_on_usr1
  if [ ! -d "$STREAM_DIR" ]; then
    if [ "$6" = 1 ]; then start_session "$7" "$8"; else header error=no-session; exit 1; fi
  # The name of a tmux/screen session: never touch its directory. (No mux file yet: a
  # start of ours is between its mkdir and writing it.)
  elif [ -f "$STREAM_DIR/mux" ] && [ "$(cat "$STREAM_DIR/mux")" != stream ]; then
    header error=not-stream
    exit 1
  fi
  attach_stream_joining=0
  attach_stream_out=$3
  attach_stream_err=$4
  if [ "$attach_stream_out" = -1 ]; then
    attach_stream_joining=1
    attach_stream_out=0
    attach_stream_err=0
    [ -f "$STREAM_DIR/acked" ] && read -r attach_stream_out attach_stream_err <"$STREAM_DIR/acked"
  fi
  evict_attachment
  echo $$ >"$STREAM_DIR/attached"
  attach_stream_in=$(file_size "$STREAM_DIR/in")
  # A joiner's stdin goes after the stdin already there: its EOF counts from there.
  attach_stream_eof=$5
  if [ $attach_stream_joining = 1 ] && is_number "$attach_stream_eof"; then attach_stream_eof=$((attach_stream_eof + attach_stream_in)); fi
  record_stdin_eof "$attach_stream_eof"
  acknowledge "$attach_stream_out" "$attach_stream_err"
  header "in=$attach_stream_in out=$attach_stream_out err=$attach_stream_err"
  # The pump: channel stdin appended to `in`. A background command's stdin would be
  # /dev/null: it gets the channel through fd 3.
  exec 3<&0
  cat <&3 >>"$STREAM_DIR/in" &
  STREAM_PUMP=$!
  echo $STREAM_PUMP >"$STREAM_DIR/pump"
  exec 3<&-
  pour_output "$attach_stream_out" "$attach_stream_err"
}

# op ctld: ctl as a conversation, one `OUT ERR EOF` line in, one answer out, until the
# channel closes (the client hung up, or sshd found the link dead). An acknowledgement is
# written only when it moved: an upload asks about stdin often while its output offsets
# stay put.
control_loop() {
  control_loop_acked=
  while read -r control_loop_out control_loop_err control_loop_eof; do
    if [ ! -d "$STREAM_DIR" ]; then
      echo error=no-session
      exit 1
    fi
    record_stdin_eof "$control_loop_eof"
    if [ "$control_loop_out $control_loop_err" != "$control_loop_acked" ]; then
      acknowledge "$control_loop_out" "$control_loop_err"
      control_loop_acked="$control_loop_out $control_loop_err"
    fi
    stdin_spool_size
    # shellcheck disable=SC2154 # set by stdin_spool_size (stream.sh)
    echo "in=$stdin_spool_size"
  done
}

# Sends signal $1 to the command: its process group where it has its own (setsid).
signal_command() {
  signal_command_pid=
  [ -f "$STREAM_DIR/pid" ] && read -r signal_command_pid <"$STREAM_DIR/pid"
  is_number "$signal_command_pid" || return 1
  if [ "$(cat "$STREAM_DIR/detach")" = setsid ]; then
    kill -"$1" -"$signal_command_pid" 2>/dev/null || kill -"$1" "$signal_command_pid"
  else
    kill -"$1" "$signal_command_pid"
  fi
}

# The local reader went away (`| head`): cut the command's pipes as sshd would. The
# session is abandoned: removed when the command ends, or now if it has.
hang_up() {
  touch "$STREAM_DIR/abandoned"
  evict_attachment
  rm -f "$STREAM_DIR/attached"
  hang_up_helpers=
  hang_up_follower=
  [ -f "$STREAM_DIR/helpers" ] && read -r hang_up_helpers <"$STREAM_DIR/helpers"
  [ -f "$STREAM_DIR/follower" ] && read -r hang_up_follower <"$STREAM_DIR/follower"
  # shellcheck disable=SC2086 # a list of pids
  for hang_up_pid in $hang_up_helpers $hang_up_follower; do kill -9 "$hang_up_pid" 2>/dev/null; done
  if [ -f "$STREAM_DIR/exit" ]; then remove_session; fi
}

# True if a client is attached to the session of directory $1: its attach lives.
client_attached() {
  client_attached_pid=
  [ -f "$1/attached" ] && read -r client_attached_pid <"$1/attached"
  is_number "$client_attached_pid" && kill -0 "$client_attached_pid" 2>/dev/null
}

# op list: one line per stream session, `NAME STATE CREATED COMMAND`.
list_sessions() {
  for list_sessions_dir in "$STREAM_SESSIONS"/*; do
    { [ -f "$list_sessions_dir/mux" ] && [ "$(cat "$list_sessions_dir/mux")" = stream ]; } || continue
    list_sessions_state=detached
    if client_attached "$list_sessions_dir"; then list_sessions_state=attached; fi
    printf '%s %s %s %s' "${list_sessions_dir##*/}" "$list_sessions_state" "$(cat "$list_sessions_dir/created")" "$(tr '[:cntrl:]' ' ' <"$list_sessions_dir/cmd")"
    echo
  done
  exit 0
}

# ---- The operation ----

case $XDG_STATE_HOME in
  /*) STREAM_SESSIONS=$XDG_STATE_HOME/stayssh/sessions ;;
  *) STREAM_SESSIONS=$HOME/.local/state/stayssh/sessions ;;
esac
if [ "$1" = list ]; then list_sessions; fi
STREAM_OPERATION=$1
STREAM_NAME=$2
STREAM_DIR=$STREAM_SESSIONS/$STREAM_NAME
if ! valid_session_name "$STREAM_NAME"; then
  header error=bad-name
  exit 2
fi
case $STREAM_OPERATION in
  attach) attach_stream "$@" ;;
  ctl)
    if [ ! -d "$STREAM_DIR" ]; then
      echo error=no-session
      exit 1
    fi
    record_stdin_eof "$5"
    acknowledge "$3" "$4"
    echo "in=$(file_size "$STREAM_DIR/in")"
    ;;
  ctld) control_loop ;;
  signal)
    if [ -d "$STREAM_DIR" ] && signal_command "$3"; then
      echo signalled
    else
      echo error=no-session
      exit 1
    fi
    ;;
  hangup)
    if [ -d "$STREAM_DIR" ]; then hang_up; fi
    echo "done"
    ;;
  fin)
    if [ -f "$STREAM_DIR/exit" ]; then remove_session; fi
    echo "done"
    ;;
  kill)
    if [ ! -f "$STREAM_DIR/mux" ] || [ "$(cat "$STREAM_DIR/mux")" != stream ]; then
      echo error=no-session
      exit 1
    fi
    # `kill NAME detached` (pruning old sessions): one a client is attached to stays.
    if [ "$3" = detached ] && client_attached "$STREAM_DIR"; then
      echo error=attached
      exit 1
    fi
    signal_command TERM
    hang_up
    echo killed
    ;;
  run) run_command ;;
  *)
    header error=bad-op
    exit 2
    ;;
esac
