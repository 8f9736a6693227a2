# shellcheck shell=sh
# The GNU screen adapter of the shim (shim.sh), same five functions as shim-tmux.sh:
#
#   screen_list           one line per session: `screen ATTACHED 0 NAME PID.stayssh-NAME`
#   screen_has NAME       true if session NAME lives; its full id in screen_has_id
#   screen_new NAME DIR   create session NAME, running the session wrapper on DIR, attached
#   screen_attach NAME    attach to NAME in this terminal, detaching any other client
#   screen_kill NAME      end session NAME
#
# Sessions are named `stayssh-NAME`. Every command after screen_has uses the full
# `PID.stayssh-NAME` id, because screen matches `-r NAME` / `-S NAME` by prefix.
#
# Quirk: screen's backend writes `[screen is terminating]` straight to the terminal when
# the last window ends; no redirection hides it. The shim's attach erases that line after
# the fact (cursor up, erase line) when the session ended.

# ---- Tunables ----
# Lines of scrollback screen keeps per window.
SHIM_SCREEN_SCROLLBACK=50000

screen_list() {
  have screen && screen -ls 2>/dev/null | while read -r screen_list_id screen_list_state; do
    case $screen_list_id in
      *.stayssh-?*) ;;
      *) continue ;;
    esac
    case $screen_list_state in
      *Detached*) screen_list_attached=0 ;;
      *ttached*) screen_list_attached=1 ;;
      *) continue ;;
    esac
    print_lines "screen $screen_list_attached 0 ${screen_list_id#*.stayssh-} $screen_list_id"
  done
}

screen_has() {
  screen_has_id=$(screen_list | screen_id_of "$1")
  [ -n "$screen_has_id" ]
}

# Prints the id of session $1 from screen_list's lines on stdin.
screen_id_of() {
  while read -r _ _ _ screen_id_of_name screen_id_of_id; do
    [ "$screen_id_of_name" = "$1" ] && print_lines "$screen_id_of_id" && break
  done
}

# The screenrc, in the state dir (nothing is written elsewhere), read only when a session
# is created.
screen_config() {
  print_lines "startup_message off"
  # No command key at all (screen 4.09: C-a reaches the program; ^@^@ would steal C-@ /
  # C-space from emacs users instead).
  print_lines "escape ''"
  print_lines "defscrollback $SHIM_SCREEN_SCROLLBACK"
  # Off the outer terminal's alternate screen: its own scrollback keeps the output.
  print_lines "altscreen off" "termcapinfo * ti@:te@"
  print_lines "hardstatus off"
  # screen's default flow control would eat C-s / C-q.
  print_lines "defflow off"
  print_lines "vbell off"
  # No utmp entry (else "Could not write /var/run/utmp" on some hosts).
  print_lines "deflogin off"
}

# -U in screen_utf8_option when the locale carried from the client is UTF-8.
screen_utf8_option() {
  screen_utf8_option=
  case ${LC_ALL:-${LC_CTYPE:-$LANG}} in
    *[Uu][Tt][Ff]-8* | *[Uu][Tt][Ff]8*) screen_utf8_option=-U ;;
  esac
}

screen_new() {
  screen_utf8_option
  screen_config >"$SHIM_STATE/screenrc" &&
    screen -c "$SHIM_STATE/screenrc" ${screen_utf8_option:+"$screen_utf8_option"} -S "stayssh-$1" sh -c "$SHIM_SESSION_WRAPPER" stayssh-run "$2" >/dev/null
}

screen_attach() {
  screen_utf8_option
  screen_has "$1" && screen -c "$SHIM_STATE/screenrc" ${screen_utf8_option:+"$screen_utf8_option"} -d -r "$screen_has_id" >/dev/null
}

screen_kill() {
  screen_has "$1" && screen -S "$screen_has_id" -X quit
}
