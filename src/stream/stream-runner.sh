# shellcheck shell=sh
# The stream script's runner (part of the stream script: see stream.sh). start_session
# creates a session's directory and starts `run NAME` detached (setsid -f); the runner
# runs the command with stdin fed from the `in` spool and stdout/stderr drained into the
# `out`/`err` spools, and records its exit status.
#
# The command reads a FIFO fed from `in` and writes FIFOs drained by `cat` into
# `out`/`err`, so it sees pipes as under ssh, and the session ends when the last writer
# closes them (ssh waits for that too). Its status is recorded only after both spools
# are complete, so "`exit` exists" means "the spool sizes are final".

# ---- Tunables ----
# stdin the command has consumed is punched out of `in` every this many bytes. Each punch
# is a fallocate exec (~1.5 ms): at 8 MiB they were ~4% of the server CPU of a 1 GB
# upload; 32 MiB bounds the spent part of `in` on disk to that much.
STREAM_STDIN_TRIM_BYTES=33554432

# stdin to the command where tail is GNU's: it follows `in` as the pump appends to it, one
# process for the whole upload, where feed_stdin's loop forks a `wc` and a `dd` per pour
# (~1000 execs per GB, the largest server-side cost of an upload). Its --pid is
# feed_stdin's subshell ($1), which returns once `in` holds all of stdin: tail then reads
# to the end once more and exits, and the command sees EOF. Meanwhile tail's read
# position (Linux /proc) says how much of `in` is spent, to be punched out.
follow_stdin() {
  exec_follower 0 "$1" "$STREAM_DIR/in" &
  follow_stdin_tail=$!
  echo $follow_stdin_tail >"$STREAM_DIR/follower"
  follow_stdin_trimmed=0
  follow_stdin_last=0
  follow_stdin_round=0
  while kill -0 $follow_stdin_tail 2>/dev/null; do
    if [ -f "$STREAM_DIR/stdin-eof" ]; then
      read -r follow_stdin_eof <"$STREAM_DIR/stdin-eof"
      if [ "$(file_size "$STREAM_DIR/in")" -ge "$follow_stdin_eof" ]; then return 0; fi
    fi
    fd_offset $follow_stdin_tail 3 "$STREAM_DIR/in"
    # While stdin flows, look every 20 ms (nap round 3): its EOF is then seen at once.
    # shellcheck disable=SC2154 # set by fd_offset (stream.sh)
    if is_number "$fd_offset" && [ "$fd_offset" != "$follow_stdin_last" ]; then
      follow_stdin_last=$fd_offset
      follow_stdin_round=3
      if [ $((fd_offset - follow_stdin_trimmed)) -ge "$STREAM_STDIN_TRIM_BYTES" ]; then
        punch_hole "$STREAM_DIR/in" "$fd_offset"
        follow_stdin_trimmed=$fd_offset
      fi
    fi
    nap $follow_stdin_round
    follow_stdin_round=$((follow_stdin_round + 1))
  done
}

# Writes stdin, as it arrives in `in`, to stdout (the command's FIFO), up to its EOF. Run
# in the background.
feed_stdin() {
  # This subshell's pid, from a child's PPID: sh has no variable for it (dash and bash
  # alike). A wrong one would end tail early (stdin lost) or never (no EOF): then the loop.
  # shellcheck disable=SC2016 # the child's own $PPID
  feed_stdin_self=$(exec sh -c 'echo $PPID')
  if is_number "$feed_stdin_self" && [ "$feed_stdin_self" != $$ ] && kill -0 "$feed_stdin_self" 2>/dev/null && tail_has_pid; then
    follow_stdin "$feed_stdin_self"
    return 0
  fi
  feed_stdin_offset=0
  feed_stdin_trimmed=0
  feed_stdin_round=0
  while :; do
    feed_stdin_size=$(file_size "$STREAM_DIR/in")
    if [ "$feed_stdin_size" -gt "$feed_stdin_offset" ]; then
      pour "$STREAM_DIR/in" "$feed_stdin_offset" $((feed_stdin_size - feed_stdin_offset)) || return 0
      feed_stdin_offset=$feed_stdin_size
      feed_stdin_round=0
      if [ $((feed_stdin_offset - feed_stdin_trimmed)) -ge "$STREAM_STDIN_TRIM_BYTES" ]; then
        punch_hole "$STREAM_DIR/in" "$feed_stdin_offset"
        feed_stdin_trimmed=$feed_stdin_offset
      fi
    elif [ -f "$STREAM_DIR/stdin-eof" ]; then
      read -r feed_stdin_eof <"$STREAM_DIR/stdin-eof"
      if [ "$feed_stdin_eof" -le "$feed_stdin_offset" ]; then return 0; fi
      feed_stdin_round=$((feed_stdin_round + 1))
      nap $feed_stdin_round
    else
      feed_stdin_round=$((feed_stdin_round + 1))
      nap $feed_stdin_round
    fi
  done
}

# op run: the detached runner of the session's command.
run_command() {
  mkfifo "$STREAM_DIR/i.fifo" "$STREAM_DIR/o.fifo" "$STREAM_DIR/e.fifo" || exit 1
  cat "$STREAM_DIR/o.fifo" >>"$STREAM_DIR/out" &
  run_command_out_pid=$!
  cat "$STREAM_DIR/e.fifo" >>"$STREAM_DIR/err" &
  run_command_err_pid=$!
  feed_stdin >"$STREAM_DIR/i.fifo" &
  run_command_feed_pid=$!
  echo "$run_command_out_pid $run_command_err_pid $run_command_feed_pid" >"$STREAM_DIR/helpers"
  run_command_command=$(cat "$STREAM_DIR/cmd")
  run_command_shell=${SHELL:-/bin/sh}
  [ -x "$run_command_shell" ] || run_command_shell=/bin/sh
  # The command's process writes its pid (for signals), then becomes the user's shell
  # running the command; with no command (ssh -T host) the login shell reads its
  # commands from stdin, as sshd runs it.
  # shellcheck disable=SC2016 # expanded by that sh
  run_command_program='echo $$ >"$0/pid"; exec "$1" -c "$2"'
  # shellcheck disable=SC2016 # expanded by that sh
  if [ -z "$run_command_command" ]; then run_command_program='echo $$ >"$0/pid"; exec "$1" -l'; fi
  if [ "$(cat "$STREAM_DIR/detach")" = setsid ]; then
    setsid sh -c "$run_command_program" "$STREAM_DIR" "$run_command_shell" "$run_command_command" <"$STREAM_DIR/i.fifo" >"$STREAM_DIR/o.fifo" 2>"$STREAM_DIR/e.fifo"
  else
    sh -c "$run_command_program" "$STREAM_DIR" "$run_command_shell" "$run_command_command" <"$STREAM_DIR/i.fifo" >"$STREAM_DIR/o.fifo" 2>"$STREAM_DIR/e.fifo"
  fi
  run_command_status=$?
  wait $run_command_out_pid
  wait $run_command_err_pid
  kill $run_command_feed_pid 2>/dev/null
  # A death by signal cannot be told from exit 128+n in sh: both are reported as signals.
  if [ $run_command_status -gt 128 ] && [ $run_command_status -le 192 ]; then run_command_status=255; fi
  echo $run_command_status >"$STREAM_DIR/exit.tmp"
  mv "$STREAM_DIR/exit.tmp" "$STREAM_DIR/exit"
  wake_attach
  rm -f "$STREAM_DIR/i.fifo" "$STREAM_DIR/o.fifo" "$STREAM_DIR/e.fifo"
  if [ -f "$STREAM_DIR/abandoned" ]; then remove_session; fi
}

# Waits (up to STREAM_GONE_ROUNDS short naps) for another attach to finish creating the
# session; fails when it does not appear, or turns out not to be a stream session.
await_session_created() {
  await_session_created_round=0
  while [ ! -f "$STREAM_DIR/mux" ]; do
    [ -d "$STREAM_DIR" ] || return 1
    await_session_created_round=$((await_session_created_round + 1))
    [ "$await_session_created_round" -gt "$STREAM_GONE_ROUNDS" ] && return 1
    nap 0
  done
  [ "$(cat "$STREAM_DIR/mux")" = stream ]
}

# Creates the session (command $1) and starts its runner (this script, $2), detached:
# with setsid -f the runner and the command outlive the attach's process group; where
# there is no setsid, nohup.
#
# The directory's mkdir is the lock. An attach that loses it to another one creating
# the same session (the attach of a link lost mid-login, still running when the retry's
# attach arrives) joins that session rather than failing or starting the command twice:
# it waits for the `mux` file, written last, once the spools exist.
start_session() {
  mkdir -p "$STREAM_SESSIONS" || { header error=cannot-create; exit 1; }
  if ! mkdir "$STREAM_DIR" 2>/dev/null; then
    await_session_created && return 0
    header error=cannot-create
    exit 1
  fi
  date +%s >"$STREAM_DIR/created"
  printf %s "$1" >"$STREAM_DIR/cmd"
  : >"$STREAM_DIR/out"
  : >"$STREAM_DIR/err"
  : >"$STREAM_DIR/in"
  printf stream >"$STREAM_DIR/mux"
  if command -v setsid >/dev/null 2>&1; then
    echo setsid >"$STREAM_DIR/detach"
    setsid -f sh -c "$2" stayssh-stream run "$STREAM_NAME" </dev/null >/dev/null 2>&1
  else
    echo nohup >"$STREAM_DIR/detach"
    nohup sh -c "$2" stayssh-stream run "$STREAM_NAME" </dev/null >/dev/null 2>&1 &
  fi
}
