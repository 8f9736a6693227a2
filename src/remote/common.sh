# shellcheck shell=sh
# What both server-side scripts share: the shim (shim.sh) and the stream script
# (../stream/stream.sh) are each assembled with this file in front of them by
# scripts/compact-shell.mjs, so the two cannot drift apart.
#
# Conventions of the server-side scripts (docs/SERVER-SCRIPTS.md):
# - sh has no local variables: a function's variables carry its name as a prefix
#   (attach_name in attach), and a function that answers with a value leaves it in the
#   variable of its own name (tmux_target_name). UPPERCASE names are the few script-wide
#   settings, set once at the top.
# - No backslash, no here-document, no backquote: the transport form is one line that
#   travels inside single quotes through any login shell.

# Letters and digits spelt out: a range such as [A-Z] follows the locale's collation in
# some shells and would let other characters through.
ALNUM=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789

# True if $1 is a session name: [A-Za-z0-9][A-Za-z0-9._-]{0,63}, the rule the client
# checks before it sends anything (src/remote/types.ts, SESSION_NAME_RE). A name is a
# directory name on the server, so it is checked here again.
valid_session_name() {
  case $1 in
    [$ALNUM]*) ;;
    *) return 1 ;;
  esac
  case $1 in
    *[!$ALNUM._-]*) return 1 ;;
  esac
  [ ${#1} -le 64 ]
}

# True if $1 is a non-negative decimal number.
is_number() {
  case $1 in
    "" | *[!0-9]*) return 1 ;;
  esac
}
