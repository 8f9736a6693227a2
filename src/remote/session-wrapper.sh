# shellcheck shell=sh
# The program every tmux or screen session of the shim runs:
#
#   sh -c "$SHIM_SESSION_WRAPPER" stayssh-run SESSION_DIR
#
# It reads the session's environment and command from SESSION_DIR/env and SESSION_DIR/cmd
# (no user data goes through the multiplexer's argv: see shim-tmux.sh), runs the user's
# login shell or `$SHELL -c COMMAND` as sshd would, and writes the status to
# SESSION_DIR/exit before the session ends. The shim embeds this file, compacted, as a
# single-quoted string (scripts/compact-shell.mjs): its code holds no single quote.

# ^C and ^\ go to the whole foreground process group, this sh too: it must live on to
# record the status (the command it starts gets the default actions back).
trap : INT QUIT

wrapper_dir=$1

# Under tmux, the last screen of the pane is kept in SESSION_DIR/screen before the session
# ends: tmux clears the terminal when its client exits, and the shim prints it back, so
# the end of a session leaves its last screen on the terminal, as plain ssh does. Its
# whole text (history, wrapped lines joined) goes to SESSION_DIR/text, for a client
# whose output is not a terminal (the shim's text view).
wrapper_pane=$TMUX_PANE
wrapper_tmux=
[ -n "$wrapper_pane" ] && wrapper_tmux=$(command -v tmux)

# The session looks like plain ssh: no TMUX (a tmux started inside would refuse to nest).
unset TMUX TMUX_PANE STY WINDOW
while IFS= read -r wrapper_line; do
  export "${wrapper_line?}"
done <"$wrapper_dir/env"
wrapper_command=$(cat "$wrapper_dir/cmd")

# sshd starts the shell in the home directory (a cd that fails leaves it where it is).
cd || true
[ -x "$SHELL" ] || SHELL=/bin/sh
if [ -n "$wrapper_command" ]; then
  "$SHELL" -c "$wrapper_command"
else
  "$SHELL" -l
fi
wrapper_status=$?

if [ -n "$wrapper_tmux" ]; then
  "$wrapper_tmux" -L stayssh capture-pane -p -e -t "$wrapper_pane" >"$wrapper_dir/screen" 2>/dev/null
  "$wrapper_tmux" -L stayssh capture-pane -p -e -J -S - -t "$wrapper_pane" >"$wrapper_dir/text" 2>/dev/null
fi
echo $wrapper_status >"$wrapper_dir/exit"
