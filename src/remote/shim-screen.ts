/**
 * The GNU screen adapter of the shim, same contract as shim-tmux.ts. Sessions are named
 * `stayssh-NAME`; `screen_has` leaves the full `PID.stayssh-NAME` in `$I`, used for every
 * later command because screen matches `-r NAME` / `-S NAME` by prefix.
 *
 * The config lives in the state dir (docs/BEHAVIOUR.md §6: nothing else is written) and is read only
 * when a session is created:
 * - `escape ''` leaves screen with no command key at all (screen 4.09: C-a reaches the
 *   program; `^@^@` would steal C-@ / C-space from emacs users instead).
 * - `termcapinfo * ti@:te@` keeps screen off the outer alternate screen (local scrollback).
 * - `defflow off`: screen's default flow control would eat C-s / C-q.
 * - `deflogin off`: no utmp entry (else "Could not write /var/run/utmp" on some hosts).
 *
 * Quirk: screen's backend writes `[screen is terminating]` straight to the terminal when
 * the last window ends; no redirection hides it. The attach op erases that line after
 * the fact (cursor up, erase line) when the session ended.
 */
export const SCREEN_ADAPTER = `
screen_ls(){ h screen&&screen -ls 2>/dev/null|while read -r i s;do
case $i in *.stayssh-?*) ;; *) continue;;esac;
case $s in *Detached*) a=0;; *ttached*) a=1;; *) continue;;esac;
pl "screen $a 0 \${i#*.stayssh-} $i";done;};
screen_has(){ I=$(screen_ls|while read -r m a z s i;do [ "$s" = "$1" ]&&pl "$i"&&break;done);[ -n "$I" ];};
screen_new(){ pl "startup_message off" "escape ''" "defscrollback 50000" "altscreen off"
 "termcapinfo * ti@:te@" "hardstatus off" "defflow off" "vbell off" "deflogin off" >"$S/screenrc"&&
 screen -c "$S/screenrc" $U -S "stayssh-$n" sh -c "$R" stayssh-run "$D" >/dev/null;};
screen_att(){ screen_has "$n"&&screen -c "$S/screenrc" $U -d -r "$I" >/dev/null;};
screen_kill(){ screen_has "$n"&&screen -S "$I" -X quit;};
`;
