# shellcheck shell=sh
# The remote half of stream mode (a command without a terminal, exactly once): one POSIX
# sh script (dash, bash, busybox sh), sent inline with every operation
#
#   exec sh -c STREAM stayssh-stream OP NAME ARGS...
#
# so nothing is installed on the server. The client builds those lines
# (src/stream/stream-commands.ts), quoting every argument; the script is assembled from
# ../remote/common.sh and this file, and compacted to one line
# (scripts/compact-shell.mjs, docs/SERVER-SCRIPTS.md).
#
# Session directory $STREAM_SESSIONS/NAME/ (umask 077): `mux` (= stream), `created`,
# `cmd`, `detach` (setsid | nohup), `out`, `err`, `in` (spools; offsets are byte offsets
# from the start of the stream, forever), `pid` (the command), `helpers` (spool pumps),
# `follower` (the tail feeding stdin), `attached` (pid of the current attachment), `pump`
# (its stdin pump), `stdin-eof` (total stdin length), `acked` (output offsets the last
# client wrote out), `exit` (status, 255 for a signal), `abandoned` (remove when the
# command ends).
#
# Operations:
#   attach NAME OUT ERR EOF CREATE COMMAND SCRIPT   run (CREATE=1: start if absent) and
#       stream: the first stderr line is the header `stayssh-stream 1 in=SIZE out=OUT
#       err=ERR` (the offsets it pours from), then channel stdin is appended to `in` and
#       `out`/`err` are poured to stdout/stderr until the command has ended and all is
#       sent; the exit status is the command's. OUT ERR = -1 -1: a client joining with
#       nothing written yet, from the offsets in `acked`. stdin's EOF is never inferred
#       from the channel (a dead link closes it too): the client states the total length
#       (EOF, -1 if unknown) here or with ctl. SCRIPT is this script, for the runner.
#   ctl NAME OUT ERR EOF     acknowledge output, state stdin's EOF; answers `in=SIZE`
#   ctld NAME                the same as `OUT ERR EOF` lines, one answer line each, for
#                            the link's lifetime (an exec per question costs an sshd
#                            session and a shell start, a line one `wc` or none)
#   signal NAME SIG | hangup NAME | fin NAME | kill NAME [detached] | list | run NAME (the runner)
# Errors: a header `stayssh-stream 1 error=CODE` on stderr (attach, bad input), or a line
# `error=no-session` on stdout (control operations); exit status 1 or 2.
#
# Bounded disk: acknowledged offsets (attach, ctl) punch holes into the spools
# (fallocate -p, Linux); offsets stay valid, the freed bytes read back as zeros and are
# never read again. Where fallocate is missing the spools grow until the session ends.

# The script's parts, in order: this file (tunables, environment, helpers),
# stream-runner.sh (the detached runner of the command), stream-ops.sh (the attach, the
# control operations, and the dispatch on OP). Each part's tunables are at its top.

# ---- Tunables ----
# Acknowledged output below this many bytes is not worth a fallocate exec.
STREAM_TRIM_MIN_BYTES=1048576
# How often GNU tail, following a spool, checks whether its --pid process lives, seconds:
# the most that is added between all of stdin being in `in` and the command seeing EOF.
# An idle tail wakes this often (no fork, a few µs each).
STREAM_FOLLOW_CHECK_S=0.02
# stdout buffer of the tail that feeds stdin (stdbuf's size syntax): how much it may
# gather before writing into the command's FIFO. Larger writes mean fewer wake-ups of
# the command while stdin pours in; a pass that reads less is written at its end.
STREAM_FOLLOW_BUFFER=1M
# Idle polling naps, seconds, by round: 0-2, 3-5, 6-9, then every later round. Prompt at
# a command's first and last bytes (each 5 ms nap is off every stream command's wall
# time), cheap when idle for long. Where sleep takes no fractions: 1 s.
STREAM_NAP_FIRST_S=0.005
STREAM_NAP_SECOND_S=0.02
STREAM_NAP_THIRD_S=0.1
STREAM_NAP_IDLE_S=0.3
# Shortest naps spent waiting for an evicted pump to die (~0.5 s).
STREAM_GONE_ROUNDS=100

# ---- The environment ----

umask 077
STREAM_FRACTIONAL_SLEEP=0
if sleep 0.01 2>/dev/null; then STREAM_FRACTIONAL_SLEEP=1; fi

# ---- Small helpers ----

# The nap of idle round $1, seconds, in nap_length.
nap_length() {
  nap_length=1
  if [ "$STREAM_FRACTIONAL_SLEEP" = 1 ]; then
    case $1 in
      0 | 1 | 2) nap_length=$STREAM_NAP_FIRST_S ;;
      3 | 4 | 5) nap_length=$STREAM_NAP_SECOND_S ;;
      6 | 7 | 8 | 9) nap_length=$STREAM_NAP_THIRD_S ;;
      *) nap_length=$STREAM_NAP_IDLE_S ;;
    esac
  fi
}

nap() {
  nap_length "$1"
  sleep "$nap_length"
}

# From now on USR1 cuts wakeable_nap short (see there).
wake_on_usr1() {
  STREAM_WOKEN=0
  trap 'STREAM_WOKEN=1' USR1
}

# The attach loop's nap, cut short by USR1 (its trap sets STREAM_WOKEN): the runner sends
# it once the command's status is written, so a command that went quiet (an upload into
# `wc`, a `sleep`) ends for the client at once instead of after up to 300 ms more. A
# trapped signal interrupts `wait`, not a foreground sleep.
wakeable_nap() {
  if [ "$STREAM_WOKEN" = 1 ]; then
    STREAM_WOKEN=0
    return 0
  fi
  nap_length "$1"
  sleep "$nap_length" &
  wakeable_nap_pid=$!
  wait $wakeable_nap_pid
  kill $wakeable_nap_pid 2>/dev/null
  STREAM_WOKEN=0
}

# USR1 to the attach of this session: only to a process that is one (Linux /proc), as the
# pid in `attached` may be stale, and USR1 ends a process that does not trap it.
wake_attach() {
  wake_attach_pid=
  [ -f "$STREAM_DIR/attached" ] && read -r wake_attach_pid <"$STREAM_DIR/attached"
  is_number "$wake_attach_pid" || return 0
  if tr '[:cntrl:]' ' ' <"/proc/$wake_attach_pid/cmdline" 2>/dev/null | grep -qF "stayssh-stream attach $STREAM_NAME "; then
    kill -USR1 "$wake_attach_pid" 2>/dev/null
  fi
  return 0
}

# Prints the size of file $1 in bytes (0 if unreadable).
file_size() {
  file_size=$(wc -c <"$1" 2>/dev/null)
  echo $((${file_size:-0}))
}

# The offset of process $1's fd $2, when that is file $3, in fd_offset (Linux /proc; no
# fork), else empty. For an O_APPEND fd that is the file's size after the process's last
# write.
fd_offset() {
  fd_offset=
  # shellcheck disable=SC3013 # -ef: dash, bash and busybox sh all have it
  if [ "/proc/$1/fd/$2" -ef "$3" ]; then read -r _ fd_offset 2>/dev/null <"/proc/$1/fdinfo/$2"; fi
}

# Bytes in `in`, in stdin_spool_size, from the pump's append position where /proc shows it
# (ctld answers this ~250 times per GB uploaded), else `wc`. A lower bound, exact once the
# pump has written: a smaller answer only makes the client keep bytes longer.
stdin_spool_size() {
  stdin_spool_size=
  stdin_spool_size_pump=
  [ -f "$STREAM_DIR/pump" ] && read -r stdin_spool_size_pump <"$STREAM_DIR/pump"
  if is_number "$stdin_spool_size_pump"; then
    fd_offset "$stdin_spool_size_pump" 1 "$STREAM_DIR/in"
    stdin_spool_size=$fd_offset
  fi
  if ! is_number "$stdin_spool_size" || [ "$stdin_spool_size" = 0 ]; then stdin_spool_size=$(file_size "$STREAM_DIR/in"); fi
}

# The attach header (or an error in its place): the first line on stderr.
header() {
  printf 'stayssh-stream 1 %s' "$1" >&2
  echo >&2
}

# pour FILE OFFSET COUNT: writes COUNT bytes of FILE from OFFSET to stdout. GNU dd copies
# a byte range in one process; elsewhere tail | head does it in two.
if dd if=/dev/null iflag=skip_bytes,count_bytes count=0 2>/dev/null; then
  pour() { dd if="$1" iflag=skip_bytes,count_bytes skip="$2" count="$3" bs=1048576 2>/dev/null; }
else
  pour() { tail -c "+$(($2 + 1))" "$1" | head -c "$3"; }
fi

# Frees the bytes of spool $1 before offset $2: a hole, so offsets stay valid.
punch_hole() {
  if is_number "$2" && [ "$2" -ge "$STREAM_TRIM_MIN_BYTES" ] && command -v fallocate >/dev/null 2>&1; then
    fallocate -p -o 0 -l "$2" "$1" 2>/dev/null
  fi
  return 0
}

# Output written by a client up to offsets $1 (out) and $2 (err): free it, and remember
# the offsets for a client that joins the session later (attach with -1 -1).
acknowledge() {
  if is_number "$1" && is_number "$2"; then
    echo "$1 $2" >"$STREAM_DIR/acked.tmp" && mv "$STREAM_DIR/acked.tmp" "$STREAM_DIR/acked"
    punch_hole "$STREAM_DIR/out" "$1"
    punch_hole "$STREAM_DIR/err" "$2"
  fi
}

# stdin is $1 bytes long (recorded once; -1 or anything else: not known yet).
record_stdin_eof() {
  if is_number "$1" && [ ! -f "$STREAM_DIR/stdin-eof" ]; then
    echo "$1" >"$STREAM_DIR/eof.tmp" && mv "$STREAM_DIR/eof.tmp" "$STREAM_DIR/stdin-eof"
  fi
}

# A control operation still writing into the directory can make the first rm fail (not empty).
remove_session() {
  rm -rf "$STREAM_DIR" 2>/dev/null || rm -rf "$STREAM_DIR"
}

wait_gone() {
  wait_gone_round=0
  while kill -0 "$1" 2>/dev/null && [ $wait_gone_round -lt "$STREAM_GONE_ROUNDS" ]; do
    wait_gone_round=$((wait_gone_round + 1))
    nap 0
  done
}

# Ends the previous attachment: a process group (sshd made its shell a session leader),
# and its stdin pump, which must be dead before `in` is measured.
evict_attachment() {
  evict_attachment_pid=
  evict_attachment_pump=
  [ -f "$STREAM_DIR/attached" ] && read -r evict_attachment_pid <"$STREAM_DIR/attached"
  [ -f "$STREAM_DIR/pump" ] && read -r evict_attachment_pump <"$STREAM_DIR/pump"
  if is_number "$evict_attachment_pid" && [ "$evict_attachment_pid" != $$ ]; then
    if [ "$(cat "$STREAM_DIR/detach")" = setsid ]; then kill -9 -"$evict_attachment_pid" 2>/dev/null; fi
    kill -9 "$evict_attachment_pid" 2>/dev/null
  fi
  if is_number "$evict_attachment_pump"; then
    kill -9 "$evict_attachment_pump" 2>/dev/null
    wait_gone "$evict_attachment_pump"
  fi
  rm -f "$STREAM_DIR/pump"
}

# True where tail is GNU's, with --pid (BusyBox's and the BSDs' have none).
tail_has_pid() {
  tail --pid=$$ -c 0 /dev/null 2>/dev/null
}

# Becomes GNU tail following file $3 from byte offset $1 until process $2 is gone (it then
# reads to the end once more and exits). Run it in the background: it execs, so $! is the
# tail itself, whose read position /proc shows. Through stdbuf where there is one: tail
# writes through a stdio buffer sized to its output (4 KiB for a FIFO), two writes per
# 8 KiB it reads, each waking the command (~24,000 per 100 MB); tail still flushes after
# every pass over the file, so a line typed into stdin goes at once.
exec_follower() {
  if stdbuf -o "$STREAM_FOLLOW_BUFFER" true 2>/dev/null; then
    exec stdbuf -o "$STREAM_FOLLOW_BUFFER" tail -c "+$(($1 + 1))" -f -s "$STREAM_FOLLOW_CHECK_S" --pid="$2" "$3"
  fi
  exec tail -c "+$(($1 + 1))" -f -s "$STREAM_FOLLOW_CHECK_S" --pid="$2" "$3"
}
