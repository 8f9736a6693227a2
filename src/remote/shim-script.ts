/**
 * The shim: one POSIX sh script, sent inline with every operation (`sh -c SCRIPT
 * stayssh-shim OP ARGS...`), so nothing has to be installed on the server and one exec
 * does create-or-attach and its reports (DESIGN "Where the time goes").
 *
 * The script travels inside single quotes through the user's login shell, whatever that
 * is, so it is compacted to ONE line with NO backslash: csh rejects newlines inside
 * quotes, fish reads `\\` and `\'` inside them. ESC and BEL for the report frames are raw
 * bytes in the text (`printf '\033'` would need a backslash). The few `'` it contains
 * become `'\''` when quoted, which every shell reads right. Tests check all of this.
 *
 * Layout on the server: `$S` = `${XDG_STATE_HOME:-$HOME/.local/state}/stayssh` (0700),
 * `$S/sessions/NAME/{mux,created,cmd,env,exit,screen}`, `$S/screenrc`, `$S/agent.sock` (-A). The session runs the
 * wrapper `$R`, which reads its command and environment from those files (no user data
 * in the multiplexer's argv), runs `$SHELL -l` or `$SHELL -c CMD` like sshd, and writes
 * the exit status to `exit` before the session ends.
 *
 * Adapter contract (shim-tmux.ts, shim-screen.ts): `${M}_ls`, `${M}_has NAME`, `${M}_new`,
 * `${M}_att`, `${M}_kill`. Helpers below: r (report), f (error report + exit 2), hx (hex
 * of stdin), pl (print lines), h (command exists), vn (valid name), num, ti (terminfo).
 */
import { SCREEN_ADAPTER } from './shim-screen.js';
import { TMUX_ADAPTER } from './shim-tmux.js';

const ESC = '\x1b';
const BEL = '\x07';

const CORE = `
E=${ESC};B=${BEL};
r(){ printf "%s]7777;stayssh;%s%s" "$E" "$*" "$B";};
hx(){ od -An -v -tx1|tr -dc 0123456789abcdef;};
f(){ r t=error "code=$1" "message_x=$(printf %s "$2"|hx)" "detail_x=$(printf %s "$3"|hx)";exit 2;};
# A newline without writing one: $(...) strips only trailing newlines.
NL=$(echo;echo x);NL=\${NL%x};
# printf, not echo: dash's echo would interpret backslashes in the data.
pl(){ printf "%s$NL" "$@";};
h(){ command -v "$1" >/dev/null 2>&1;};
# Explicit letters, not [A-Z]: ranges follow the locale's collation in some shells.
A=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789;
vn(){ case $1 in [$A]*) ;; *) return 1;;esac;case $1 in *[!$A._-]*) return 1;;esac;[ \${#1} -le 64 ];};
num(){ case $1 in ""|*[!0-9]*) return 1;;esac;};
# The missing multiplexer error; a session's creation time into z (kept when unreadable).
nm(){ f no-mux "$1 found on the server";};
cr(){ [ -r "$D/created" ]&&read -r z <"$D/created";num "$z"||z=0;};
# Is there a terminfo entry for $1? (tmux refuses to attach to a terminal it cannot describe.)
ti(){ [ -n "$1" ]||return 1;tc=\${1#?};tc=\${1%"$tc"};
for td in "$HOME/.terminfo" /etc/terminfo /lib/terminfo /usr/share/terminfo /usr/lib/terminfo;do
[ -r "$td/$tc/$1" ]&&return 0;done;h infocmp&&infocmp "$1" >/dev/null 2>&1;};
# Started from inside tmux/screen (a user's nested setup, or tests): never talk to that one.
unset TMUX TMUX_PANE STY WINDOW;
# Non-login exec shells often lack where tmux lives (Homebrew, pkgsrc, /usr/local).
P0=$PATH;PATH=$PATH:/usr/local/bin:/opt/homebrew/bin:/opt/local/bin:/usr/pkg/bin;
case $XDG_STATE_HOME in /*) S=$XDG_STATE_HOME/stayssh;; *) S=$HOME/.local/state/stayssh;;esac;
# Under tmux the wrapper keeps the last screen of the pane in the file d/screen before the session
# ends: tmux clears the terminal when its client exits, and the shim prints it back, so
# the end of a session leaves its last screen on the terminal, as plain ssh does.
R='trap : INT QUIT;d=$1;p=$TMUX_PANE;t=;[ -n "$p" ]&&t=$(command -v tmux);unset TMUX TMUX_PANE STY WINDOW;while IFS= read -r l;do export "$l";done <"$d/env";x=$(cat "$d/cmd");cd;[ -x "$SHELL" ]||SHELL=/bin/sh;if [ -n "$x" ];then "$SHELL" -c "$x";else "$SHELL" -l;fi;s=$?;[ -n "$t" ]&&"$t" -L stayssh capture-pane -p -e -t "$p" >"$d/screen" 2>/dev/null;echo $s >"$d/exit"';
`;

const OPS = `
al(){ \${M}_has "$n";};
# Which multiplexer: the one already holding this session (L=1: it lives, no second
# has-session on a re-attach), else the requested one.
mx(){ M=;[ -r "$D/mux" ]&&read -r M <"$D/mux";L=;case $M in tmux|screen) h $M&&al&&L=1&&return;; stream) f bad-args "$n is a stream session (a command without a terminal)";;esac;
case $1 in auto) if h tmux;then M=tmux;elif h screen;then M=screen;else nm "neither tmux nor screen";fi;;
tmux|screen) M=$1;h $M||nm "$M not";; *) f bad-args "unknown multiplexer $1";;esac;};
mk(){ rm -rf "$D";(umask 077;mkdir -p "$D")||f mux-failed "cannot create $D";pl $M >"$D/mux";
date +%s >"$D/created";printf %s "$x" >"$D/cmd";pl "PATH=$P0" "SHELL=$SHELL" "$@" >"$D/env";};
# The session ended: report its status, forget it, and end with it.
fin(){ read -r e <"$D/exit";num "$e"||e=255;rm -rf "$D";r t=exit "status=$e";exit $e;};
at(){ [ $# -ge 4 ]||f bad-args "attach needs NAME MUX CREATE CMD";n=$1;q=$2;c=$3;x=$4;shift 4;
vn "$n"||f bad-name "invalid session name";
for a;do shift;case \${a%%=*} in ""|[0-9]*|*[!\${A}_]*) continue;;esac;
case $a in *=*) ;; *) continue;;esac;case $a in *"$NL"*) continue;;esac;set -- "$@" "$a";export "$a";done;
U=;case \${LC_ALL:-\${LC_CTYPE:-$LANG}} in *[Uu][Tt][Ff]-8*|*[Uu][Tt][Ff]8*) U=-U;;esac;
D=$S/sessions/$n;mx "$q";k=0;
if [ -z "$L" ]&&! al;then [ -f "$D/exit" ]&&[ "$c" != 1 ]&&fin;
[ "$c" = 1 ]||{ rm -rf "$D";f no-session "no session named $n";};k=1;fi;
[ -t 0 ]||f mux-failed "attach needs a terminal";
# Agent forwarding (-A): sshd makes a socket per link, gone with it; the session gets a
# stable path, pointed at the newest forwarded socket on every attach.
G=$S/agent.sock;[ -S "$SSH_AUTH_SOCK" ]||G=;[ -n "$G" ]&&set -- "$@" "SSH_AUTH_SOCK=$G";[ $k = 1 ]&&mk "$@";
[ -n "$G" ]&&ln -sf "$SSH_AUTH_SOCK" "$G"&&export SSH_AUTH_SOCK="$G";
# Other detached sessions, for the client's notice at a run's first attach (CREATE=1): a
# re-attach (CREATE=0) skips the count and its two execs, \`tmux ls\` and \`screen -ls\`.
o=0;[ "$c" = 1 ]&&o=$({ tmux_ls;screen_ls;}|{ i=0;while read -r m a z s y;do [ "$a" = 0 ]&&[ "$s" != "$n" ]&&i=$((i+1));done;pl $i;});
ti "$TERM"||{ ti xterm-256color&&TERM=xterm-256color||TERM=xterm;export TERM;};
# After this report, wait for one byte from the client: tmux flushes the pty's unread output
# when it takes the terminal (tcflush TCOFLUSH), which under load ate the report. Raw from
# before the report until the multiplexer has the terminal, so keys sent right behind the
# byte (typed during the outage, ^C too) reach it unechoed and raise no signal here.
# The modes go back after it, or before a new screen session (screen copies them into its
# windows; tmux takes only the control characters). dd, not read: bash's read takes more
# than its line from a raw tty, swallowing the keys behind it.
g=$(stty -g);stty raw -echo;r t=attached "name=$n" mux=$M created=$k "others=$o";dd bs=1 count=1 >/dev/null 2>&1;[ $M$k = screen1 ]&&stty "$g";
# A new session is created attached: a short command's output is seen, and the shell
# starts at the terminal's size. Lost a creation race: attach to the winner's.
if [ $k = 1 ];then \${M}_new||{ al&&\${M}_att;};else \${M}_att;fi;e=$?;stty "$g" 2>/dev/null;
if [ -f "$D/exit" ];then [ $M = screen ]&&printf "%s[A%s[2K" "$E" "$E";[ -s "$D/screen" ]&&pl "$(cat "$D/screen")";fin;fi;
if al;then [ $e = 0 ]||f mux-failed "$M attach failed (status $e)";r t=detached;exit 0;fi;
rm -rf "$D";[ $e = 0 ]||f mux-failed "$M failed (status $e)";r t=gone;exit 255;};
li(){ q=\${1:-auto};case $q in auto) h tmux||h screen||nm "neither tmux nor screen";;
tmux|screen) h $q||nm "$q not";; *) f bad-args "unknown multiplexer $q";;esac;
now=$(date +%s);{ [ $q = screen ]||tmux_ls;[ $q = tmux ]||screen_ls;}|{ seen=" ";while read -r m a z s y;do
vn "$s"||continue;D=$S/sessions/$s;cr;
[ "$a" = 0 ]&&a=detached||a=attached;k=;[ -r "$D/cmd" ]&&k=$(hx <"$D/cmd");
r t=session "name=$s" "state=$a" "created=$z" "mux=$m" "command_x=$k";seen="$seen$m/$s ";done;
# State dirs whose session is gone: stale, unless young (being created right now) or
# holding an exit status a reconnecting client may still come to collect (one day).
for D in "$S"/sessions/*;do [ -d "$D" ]||continue;s=\${D##*/};m=;[ -r "$D/mux" ]&&read -r m <"$D/mux";
case $q/$m in auto/tmux|auto/screen|tmux/tmux|screen/screen) ;; *) continue;;esac;h $m||continue;
case $seen in *" $m/$s "*) continue;;esac;z=0;cr;
[ $((now-z)) -gt 30 ]||continue;[ -f "$D/exit" ]&&[ -z "$(find "$D/exit" -mtime +0)" ]&&continue;rm -rf "$D";done;};};
ki(){ n=$1;vn "$n"||f bad-name "invalid session name";D=$S/sessions/$n;
if tmux_has "$n";then M=tmux;elif screen_has "$n";then M=screen;else rm -rf "$D";f no-session "no session named $n";fi;
\${M}_kill >/dev/null 2>&1;rm -rf "$D";r t=killed "name=$n";};
pr(){ v=;w=;h tmux&&set -- $(tmux -V 2>&1)&&v=$2;h screen&&set -- $(screen -v 2>&1)&&w=$3;
case $v in *[!$A.-]*) v=unknown;;esac;case $w in *[!$A.-]*) w=unknown;;esac;r t=probe "tmux=$v" "screen=$w";};
o=$1;[ $# -gt 0 ]&&shift;case $o in attach) at "$@";; list) li "$@";; kill) ki "$@";; probe) pr;;
*) f bad-args "unknown operation $o";;esac
`;

/**
 * Source → one line: drop comment lines and indentation, join lines. A line ending in `;`
 * joins directly; any other (`then`, `do`, `|`, `&&`, an argument list going on) with a
 * space. The result is checked by `sh -n` under dash and bash in the tests.
 */
export function compactShell(source: string): string {
  let out = '';
  for (const raw of source.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    out += out === '' || out.endsWith(';') ? line : ` ${line}`;
  }
  return out;
}

/** The shim, ready to be single-quoted into an exec command line. */
export const SHIM_SCRIPT: string = compactShell(CORE + TMUX_ADAPTER + SCREEN_ADAPTER + OPS);
