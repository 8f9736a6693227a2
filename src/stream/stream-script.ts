/**
 * The remote half of stream mode: one POSIX sh script (dash and bash), sent inline with
 * every operation as `exec sh -c SCRIPT stayssh-stream OP ARGS...`, so nothing is
 * installed on the server. Like the shim it is compacted to ONE line without a backslash
 * (csh rejects newlines inside quotes, fish reads backslashes there): every command below
 * ends in `;` or a keyword, and `#` lines are dropped when compacting.
 *
 * Session directory `$S/sessions/NAME/` (umask 077): `mux` (= stream), `created`, `cmd`,
 * `detach` (setsid | nohup), `out`, `err`, `in` (spools; offsets are byte offsets from the
 * start of the stream, forever), `pid` (the command), `helpers` (spool pumps), `attached`
 * (pid of the current attachment), `pump` (its stdin pump), `stdin-eof` (total stdin
 * length), `acked` (output offsets the last client wrote out), `exit` (status, 255 for a
 * signal), `abandoned` (remove when the command ends).
 *
 * Runner (op `run`, detached with `setsid -f`): the command reads a FIFO fed from `in` and
 * writes FIFOs drained by `cat` into `out`/`err`, so it sees pipes as under ssh, and the
 * session ends when the last writer closes them (ssh waits for that too). Its status is
 * recorded only after both spools are complete, so "exit exists" means "sizes are final".
 *
 * Attach (op `attach NAME OUT ERR EOF CREATE CMD SCRIPT`): creates and starts the session
 * when CREATE=1 and it is absent; OUT ERR = -1 -1 (a client joining, with nothing written
 * yet) means "from the offsets in `acked`", and its EOF counts from the stdin already
 * there (its own first byte goes after the last client's). It evicts a previous attachment (its process
 * group: the stale stdin pump must be dead before `in` is measured), reports
 * `in=SIZE out=OUT err=ERR` (the offsets it pours from) as the first line on stderr, then
 * appends channel stdin to `in` and pours `out`/`err` from those offsets to its
 * stdout/stderr until the command has ended and all is sent, exiting with the command's
 * status. stdin EOF is never inferred from the channel (a dead link closes it too): the
 * client states the total length (EOF, -1 if unknown) here or with `ctl`.
 *
 * Control (op `ctl NAME OUT ERR EOF`, or the same as lines to op `ctld NAME`, which stays
 * open for the link's lifetime): acknowledges output, states stdin's EOF, and answers
 * `in=SIZE`. An exec per question costs an sshd session and a shell start (~10 ms of
 * server CPU, and the round trip paces an upload); a line on an open channel, one `wc`.
 *
 * Bounded disk: acknowledged offsets (`attach`, `ctl`) punch holes into the spools
 * (`fallocate -p`, Linux); offsets stay valid, the freed bytes read back as zeros and are
 * never read again. Where fallocate is missing the spools grow until the session ends.
 */

/** Largest piece poured in one go, bytes: ~60 ms at loopback speed, so exit checks stay timely. */
export const POUR_MAX_BYTES = 32 * 1024 * 1024;
/**
 * stdin the command has consumed is punched out of `in` every this many bytes. Each punch
 * is a `fallocate` exec (~1.5 ms): at 8 MiB they were ~4% of the server CPU of a 1 GB
 * upload; 32 MiB bounds the spent part of `in` on disk to that much.
 */
export const STDIN_TRIM_BYTES = 32 * 1024 * 1024;
/**
 * How often GNU tail, following stdin's spool, checks whether its --pid process lives, in
 * seconds: the most that is added between all of stdin being in \`in\` and the command
 * seeing EOF. An idle tail wakes this often (no fork, a few µs each).
 */
export const FOLLOW_CHECK_S = '0.02';
/**
 * stdout buffer of that tail (stdbuf's size syntax): how much it may gather from the spool
 * before writing into the command's FIFO. Larger writes mean fewer wake-ups of the command
 * while stdin pours in; a pass that reads less is written at its end, so nothing waits.
 */
export const FOLLOW_BUFFER = '1M';
/**
 * Idle rounds in a row the attach polls the output spools before GNU tail follows them:
 * 2 naps of 5 ms and 3 of 20 ms, ~70 ms. A command that ends sooner is done without the
 * tails (their execs and their --pid check cost \`host true\` ~20 ms); bulk output keeps
 * the polling loop busy, never idle that long.
 */
export const POLL_ROUNDS = 5;

const SCRIPT = `
umask 077;
case $XDG_STATE_HOME in /*) S=$XDG_STATE_HOME/stayssh;; *) S=$HOME/.local/state/stayssh;; esac;
B=$S/sessions;
N=0; if sleep 0.01 2>/dev/null; then N=1; fi;
# Idle polling backs off from 5 ms to 300 ms: prompt at a command's first and last bytes
# (each 5 ms nap is off every stream command's wall time), cheap when idle for long.
# Into nd: the nap for idle round $1 (a name no caller uses: sh variables are global).
nt(){ nd=1; if [ $N = 1 ]; then case $1 in 0|1|2) nd=0.005;; 3|4|5) nd=0.02;; 6|7|8|9) nd=0.1;; *) nd=0.3;; esac; fi; };
nap(){ nt $1; sleep $nd; };
# The attach loop's nap, cut short by USR1 (trap sets wk): the runner sends it once the
# command's status is written, so a command that went quiet (an upload into \`wc\`, a
# \`sleep\`) ends for the client at once instead of after up to 300 ms more.
wnap(){ if [ "$wk" = 1 ]; then wk=0; return 0; fi; nt $1; sleep $nd & sp=$!; wait $sp; kill $sp 2>/dev/null; wk=0; };
# USR1 to the attach of this session: only a process that is one (Linux /proc), as the pid
# in \`attached\` may be stale and USR1 ends a process that does not trap it.
wake(){ a=; [ -f "$d/attached" ] && read a <"$d/attached"; num "$a" || return 0;
if tr '[:cntrl:]' ' ' <"/proc/$a/cmdline" 2>/dev/null | grep -qF "stayssh-stream attach $n "; then kill -USR1 "$a" 2>/dev/null; fi; return 0; };
sz(){ s=$(wc -c <"$1" 2>/dev/null); s=\${s:-0}; echo $(( $s )); };
# Into v: the offset of process $1's fd $2 when it is file $3 (Linux /proc; no fork), else
# empty. For an O_APPEND fd that is the file's size after the process's last write.
fdpos(){ v=; if [ "/proc/$1/fd/$2" -ef "$3" ]; then read fk v 2>/dev/null <"/proc/$1/fdinfo/$2"; fi; };
# Bytes in \`in\`, into z, from the pump's append position where /proc shows it (ctld answers
# this ~250 times per GB uploaded). A lower bound, exact once the pump has written; a
# smaller answer only makes the client keep bytes longer. Else \`wc\`.
isz(){ z=; p=; [ -f "$d/pump" ] && read p <"$d/pump";
if num "$p"; then fdpos "$p" 1 "$d/in"; z=$v; fi;
if ! num "$z" || [ "$z" = 0 ]; then z=$(sz "$d/in"); fi; };
num(){ case $1 in ""|*[!0-9]*) return 1;; esac; };
hdr(){ printf 'stayssh-stream 1 %s' "$1" >&2; echo >&2; };
# GNU dd copies a byte range in one process; elsewhere tail | head does it in two.
if dd if=/dev/null iflag=skip_bytes,count_bytes count=0 2>/dev/null; then
pour(){ dd if="$1" iflag=skip_bytes,count_bytes skip="$2" count="$3" bs=1048576 2>/dev/null; };
else pour(){ tail -c "+$(( $2 + 1 ))" "$1" | head -c "$3"; }; fi;
trim(){ if num "$2" && [ "$2" -ge 1048576 ] && command -v fallocate >/dev/null 2>&1; then fallocate -p -o 0 -l "$2" "$1" 2>/dev/null; fi; return 0; };
# Output written by a client up to these offsets: free it, and remember them for a client
# that joins the session later (attach with offsets -1), which starts from there.
ack(){ if num "$1" && num "$2"; then echo "$1 $2" >"$d/acked.tmp" && mv "$d/acked.tmp" "$d/acked"; trim "$d/out" "$1"; trim "$d/err" "$2"; fi; };
eof(){ if num "$1" && [ ! -f "$d/stdin-eof" ]; then echo "$1" >"$d/eof.tmp" && mv "$d/eof.tmp" "$d/stdin-eof"; fi; };
# A control op still writing into the directory can make the first rm fail (not empty).
drop(){ rm -rf "$d" 2>/dev/null || rm -rf "$d"; };
gone(){ i=0; while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do i=$(( i + 1 )); nap 0; done; };
# The previous attachment is a process group (sshd made its shell a session leader).
evict(){ a=; p=; [ -f "$d/attached" ] && read a <"$d/attached"; [ -f "$d/pump" ] && read p <"$d/pump";
if num "$a" && [ "$a" != $$ ]; then if [ "$(cat "$d/detach")" = setsid ]; then kill -9 -"$a" 2>/dev/null; fi; kill -9 "$a" 2>/dev/null; fi;
if num "$p"; then kill -9 "$p" 2>/dev/null; gone "$p"; fi; rm -f "$d/pump"; };
# stdin to the command. GNU tail follows \`in\` as the pump appends to it: one process for
# the whole upload, where the loop in feed forks a \`wc\` and a \`dd\` per pour (~1000 execs
# per GB, the largest server-side cost of an upload). tail's --pid is this subshell (w,
# from a child's PPID: sh has no variable for it), which returns once \`in\` holds all of
# stdin: tail then reads to the end once more and exits, and the command sees EOF.
# Meanwhile tail's read position (Linux /proc) says how much of \`in\` is spent, for trim.
# tail writes through a stdio buffer sized to the FIFO (4 KiB): two writes per 8 KiB it
# reads, each waking the command, ~24,000 per 100 MB. stdbuf gives it ${FOLLOW_BUFFER}; tail
# still flushes after every pass over the file, so a line typed into stdin goes at once.
# True where tail is GNU's, with --pid (BusyBox's and the BSDs' have none).
gt(){ tail --pid=$$ -c 0 /dev/null 2>/dev/null; };
sb(){ b=; stdbuf -o ${FOLLOW_BUFFER} true 2>/dev/null && b="stdbuf -o ${FOLLOW_BUFFER}"; };
follow(){ sb; $b tail -c +1 -f -s ${FOLLOW_CHECK_S} --pid=$w "$d/in" & tp=$!; echo $tp >"$d/follower";
t=0; lo=0; i=0; while kill -0 $tp 2>/dev/null; do
if [ -f "$d/stdin-eof" ]; then read e <"$d/stdin-eof"; if [ "$(sz "$d/in")" -ge "$e" ]; then return 0; fi; fi;
fdpos $tp 3 "$d/in"; o=$v;
# While stdin flows, check every 20 ms (nap 3): its EOF is then seen at once.
if num "$o" && [ "$o" != $lo ]; then lo=$o; i=3; if [ $(( o - t )) -ge ${STDIN_TRIM_BYTES} ]; then trim "$d/in" $o; t=$o; fi; fi;
nap $i; i=$(( i + 1 )); done; };
# A wrong w would end tail early (stdin lost) or never (no EOF): then the loop below.
feed(){ w=$(exec sh -c 'echo $PPID');
if num "$w" && [ "$w" != $$ ] && kill -0 "$w" 2>/dev/null && gt; then follow; return 0; fi;
o=0; t=0; i=0; while :; do z=$(sz "$d/in");
if [ "$z" -gt $o ]; then pour "$d/in" $o $(( z - o )) || return 0; o=$z; i=0;
if [ $(( o - t )) -ge ${STDIN_TRIM_BYTES} ]; then trim "$d/in" $o; t=$o; fi;
elif [ -f "$d/stdin-eof" ]; then read e <"$d/stdin-eof"; if [ "$e" -le $o ]; then return 0; fi; i=$(( i + 1 )); nap $i;
else i=$(( i + 1 )); nap $i; fi; done; };
run(){ mkfifo "$d/i.fifo" "$d/o.fifo" "$d/e.fifo" || exit 1;
cat "$d/o.fifo" >>"$d/out" & co=$!;
cat "$d/e.fifo" >>"$d/err" & ce=$!;
feed >"$d/i.fifo" & fp=$!;
echo "$co $ce $fp" >"$d/helpers";
c=$(cat "$d/cmd"); x=\${SHELL:-/bin/sh}; [ -x "$x" ] || x=/bin/sh;
W='echo $$ >"$0/pid"; exec "$1" -c "$2"';
# No command (ssh -T host): the login shell reads its commands from stdin, as sshd runs it.
if [ -z "$c" ]; then W='echo $$ >"$0/pid"; exec "$1" -l'; fi;
if [ "$(cat "$d/detach")" = setsid ]; then setsid sh -c "$W" "$d" "$x" "$c" <"$d/i.fifo" >"$d/o.fifo" 2>"$d/e.fifo";
else sh -c "$W" "$d" "$x" "$c" <"$d/i.fifo" >"$d/o.fifo" 2>"$d/e.fifo"; fi;
st=$?; wait $co; wait $ce; kill $fp 2>/dev/null;
# A death by signal cannot be told from exit 128+n in sh: both are reported as signals.
if [ $st -gt 128 ] && [ $st -le 192 ]; then st=255; fi;
echo $st >"$d/exit.tmp"; mv "$d/exit.tmp" "$d/exit"; wake; rm -f "$d/i.fifo" "$d/o.fifo" "$d/e.fifo";
if [ -f "$d/abandoned" ]; then drop; fi; };
start(){ mkdir -p "$B" && mkdir "$d" || { hdr error=cannot-create; exit 1; };
printf stream >"$d/mux"; date +%s >"$d/created"; printf %s "$1" >"$d/cmd"; : >"$d/out"; : >"$d/err"; : >"$d/in";
if command -v setsid >/dev/null 2>&1; then echo setsid >"$d/detach"; setsid -f sh -c "$2" stayssh-stream run "$n" </dev/null >/dev/null 2>&1;
else echo nohup >"$d/detach"; nohup sh -c "$2" stayssh-stream run "$n" </dev/null >/dev/null 2>&1 & fi; };
# Output to the client. stream polls the spools and pours with dd: best for bulk output and
# for a command that ends at once. Once a command has been quiet for ${POLL_ROUNDS} rounds (~70 ms),
# GNU tail follows each spool from there instead (inotify: output goes out as it is
# written, where the polls had grown to 300 ms apart), until the helper filling it is gone
# (--pid); it then reads to the end once more and exits. Once \`exit\` exists both helpers
# are gone, so the tails are about to end. The loop watches only the pump (its end means
# the channel is gone) and the exit. Where tail cannot (not GNU, helpers unknown), stream
# polls on.
fout(){ stream "$1" "$2" ${POLL_ROUNDS}; h=; j=0; while [ ! -f "$d/exit" ] && [ ! -s "$d/helpers" ] && [ $j -lt 200 ]; do j=$(( j + 1 )); nap 0; done;
[ -f "$d/exit" ] || read h he hf <"$d/helpers" 2>/dev/null;
if ! num "$h" || ! num "$he" || ! gt; then stream "$oo" "$eo"; fi;
sb; $b tail -c +$(( oo + 1 )) -f -s ${FOLLOW_CHECK_S} --pid=$h "$d/out" & t1=$!;
$b tail -c +$(( eo + 1 )) -f -s ${FOLLOW_CHECK_S} --pid=$he "$d/err" >&2 & t2=$!;
i=0; while :; do if ! kill -0 "$pp" 2>/dev/null; then kill $t1 $t2 2>/dev/null; rm -f "$d/attached"; exit 1; fi;
if [ -f "$d/exit" ]; then wait $t1; wait $t2; read st <"$d/exit"; exit "$st"; fi;
i=$(( i + 1 )); wnap $i; done; };
# Polls and pours from offsets $1 $2 until the command's end; with $3, returns after that
# many idle rounds in a row (oo eo: where it got to).
stream(){ oo=$1; eo=$2; i=0; while :; do f=0; [ -f "$d/exit" ] && f=1;
os=$(sz "$d/out"); es=$(sz "$d/err"); m=0;
if [ "$os" -gt $oo ]; then k=$(( os - oo )); [ $k -gt ${POUR_MAX_BYTES} ] && k=${POUR_MAX_BYTES}; pour "$d/out" $oo $k || exit 1; oo=$(( oo + k )); m=1; fi;
if [ "$es" -gt $eo ]; then k=$(( es - eo )); [ $k -gt ${POUR_MAX_BYTES} ] && k=${POUR_MAX_BYTES}; pour "$d/err" $eo $k >&2 || exit 1; eo=$(( eo + k )); m=1; fi;
if [ $m = 1 ]; then i=0; elif [ $f = 1 ]; then read st <"$d/exit"; exit "$st";
# The pump ends only when the channel is gone (the client never sends EOF on it): stop.
elif ! kill -0 "$pp" 2>/dev/null; then rm -f "$d/attached"; exit 1; else i=$(( i + 1 )); if [ -n "$3" ] && [ $i -gt "$3" ]; then return 0; fi; wnap $i; fi; done; };
sig(){ p=; [ -f "$d/pid" ] && read p <"$d/pid"; num "$p" || return 1;
if [ "$(cat "$d/detach")" = setsid ]; then kill -"$1" -"$p" 2>/dev/null || kill -"$1" "$p"; else kill -"$1" "$p"; fi; };
hangup(){ touch "$d/abandoned"; evict; rm -f "$d/attached"; h=; g=; [ -f "$d/helpers" ] && read h <"$d/helpers"; [ -f "$d/follower" ] && read g <"$d/follower"; for q in $h $g; do kill -9 "$q" 2>/dev/null; done;
if [ -f "$d/exit" ]; then drop; fi; };
if [ "$1" = list ]; then for d in "$B"/*; do [ -f "$d/mux" ] && [ "$(cat "$d/mux")" = stream ] || continue;
a=; [ -f "$d/attached" ] && read a <"$d/attached"; s=detached; if num "$a" && kill -0 "$a" 2>/dev/null; then s=attached; fi;
printf '%s %s %s %s' "\${d##*/}" "$s" "$(cat "$d/created")" "$(tr '[:cntrl:]' ' ' <"$d/cmd")"; echo; done; exit 0; fi;
op=$1; n=$2; d=$B/$n;
case $n in [A-Za-z0-9]*) ;; *) hdr error=bad-name; exit 2;; esac;
case $n in *[!A-Za-z0-9._-]*) hdr error=bad-name; exit 2;; esac;
case $op in
attach) wk=0; trap 'wk=1' USR1; if [ ! -d "$d" ]; then if [ "$6" = 1 ]; then start "$7" "$8"; else hdr error=no-session; exit 1; fi;
# The name of a tmux/screen session: never touch its directory. (No mux file yet: a start
# of ours is between its mkdir and writing it.)
elif [ -f "$d/mux" ] && [ "$(cat "$d/mux")" != stream ]; then hdr error=not-stream; exit 1; fi;
j=0; oo=$3; eo=$4; if [ "$oo" = -1 ]; then j=1; oo=0; eo=0; [ -f "$d/acked" ] && read oo eo <"$d/acked"; fi;
evict; echo $$ >"$d/attached"; is=$(sz "$d/in"); e=$5; if [ $j = 1 ] && num "$e"; then e=$(( e + is )); fi; eof "$e"; ack "$oo" "$eo";
hdr "in=$is out=$oo err=$eo"; exec 3<&0; cat <&3 >>"$d/in" & pp=$!; echo $pp >"$d/pump"; exec 3<&-; fout "$oo" "$eo";;
ctl) if [ ! -d "$d" ]; then echo error=no-session; exit 1; fi; eof "$5"; ack "$3" "$4"; echo "in=$(sz "$d/in")";;
# ctl as a conversation: one \`OUT ERR EOF\` line in, one answer out, until the channel
# closes (the client hung up, or sshd found the link dead). An ack is written only when it
# moved: an upload asks about stdin often while its output offsets stay put.
ctld) k=; while read -r a b c; do if [ ! -d "$d" ]; then echo error=no-session; exit 1; fi;
eof "$c"; if [ "$a $b" != "$k" ]; then ack "$a" "$b"; k="$a $b"; fi; isz; echo "in=$z"; done;;
signal) if [ -d "$d" ] && sig "$3"; then echo signalled; else echo error=no-session; exit 1; fi;;
hangup) if [ -d "$d" ]; then hangup; fi; echo done;;
fin) if [ -f "$d/exit" ]; then drop; fi; echo done;;
kill) if [ ! -f "$d/mux" ] || [ "$(cat "$d/mux")" != stream ]; then echo error=no-session; exit 1; fi; sig TERM; hangup; echo killed;;
run) run;;
*) hdr error=bad-op; exit 2;;
esac;
`;

/** The script on one line: comment lines dropped, lines joined with a space. */
export function compactScript(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .join(' ');
}

export const STREAM_SCRIPT = compactScript(SCRIPT);
