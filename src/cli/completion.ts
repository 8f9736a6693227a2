/**
 * `stayssh --completion bash|zsh|fish` (docs/BEHAVIOUR.md §1): a completion script for the
 * shell, printed on stdout to be loaded with `source <(stayssh --completion bash)` (or put
 * where the shell looks for completions).
 *
 * What each script completes:
 * - options, from the commander definition itself (program.ts), so none is ever missing;
 * - the destination: host names from `~/.ssh/config` (Host lines, without patterns) and
 *   `~/.ssh/known_hosts` (unhashed entries, `[host]:port` as host), with a `user@` kept;
 * - option values: files for -i -F -E --events, users for -l, hosts for -J, the keywords
 *   stayssh acts on for -o, the choices of --mux and --completion;
 * - session names for --session and --kill, once a destination is on the line, by running
 *   `stayssh -o BatchMode=yes [-p -l -i -F -o -J -4 -6 from the line] --list --json HOST`
 *   under `timeout` (STAYSSH_COMPLETION_TIMEOUT seconds, 3 by default): BatchMode so no
 *   prompt ever reaches the terminal, the timeout so a slow or dead host never holds the
 *   shell. Without a `timeout` (or `gtimeout`) command, session names are not offered.
 *
 * The host and session lists are read by awk programs shared by the three scripts. Names
 * are filtered to safe characters there (a host `[A-Za-z0-9._:%-]`, a session name as
 * contracts/session-name.ts allows), so nothing read from a file or a server is ever
 * expanded by the shell.
 */
import type { Command, Option } from 'commander';
import { settableKeywords } from '../config/keywords.js';
import type { CompletionShell } from './program.js';

/** What an option's value is, for completing it. */
type ValueKind = 'none' | 'file' | 'host' | 'user' | 'keyword' | 'session' | 'choice' | 'other';

interface OptionSpec {
  /** `-p`, `--session`, ... (short first when an option has both). */
  flags: string[];
  value: ValueKind;
  choices: string[];
  description: string;
}

const VALUE_KINDS: Record<string, ValueKind> = {
  '-i': 'file',
  '-F': 'file',
  '-E': 'file',
  '--events': 'file',
  '-J': 'host',
  '-l': 'user',
  '-o': 'keyword',
  '--session': 'session',
  '--kill': 'session',
};

/** The options that say how to reach the host: passed on to `--list` for session names. */
const CONNECTION_LETTERS = '46pliFoJ';

/** Seconds the scripts let `stayssh --list` take when STAYSSH_COMPLETION_TIMEOUT is unset. */
export const DEFAULT_COMPLETION_TIMEOUT_S = 3;

function specOf(option: Option): OptionSpec {
  const flags = [option.short, option.long].filter((f): f is string => f !== undefined);
  const choices = option.argChoices ?? [];
  const takesValue = option.required || option.optional;
  const named = flags.map((f) => VALUE_KINDS[f]).find((k) => k !== undefined);
  const value: ValueKind = !takesValue ? 'none' : choices.length > 0 ? 'choice' : (named ?? 'other');
  return { flags, value, choices, description: option.description };
}

/** Every option stayssh accepts, with `-h, --help` (commander keeps it apart). */
export function optionSpecs(program: Command): OptionSpec[] {
  return [...program.options.map(specOf), { flags: ['-h', '--help'], value: 'none', choices: [], description: 'show this help' }];
}

/** Host names of ~/.ssh/config's Host lines: no patterns, no negations, safe characters only. */
const CONFIG_HOSTS_AWK = `{
  sub(/^[ \\t]+/, "")
  n = split($0, w, /[ \\t=]+/)
  if (tolower(w[1]) != "host") next
  for (i = 2; i <= n; i++) {
    h = w[i]
    if (h ~ /^#/) break
    gsub(/"/, "", h)
    if (h ~ /^[A-Za-z0-9._:%-]+$/) print h
  }
}`;

/** Names of ~/.ssh/known_hosts: unhashed entries, `[host]:port` as host, no @revoked lines. */
const KNOWN_HOSTS_AWK = `/^[ \\t]*(#|$)/ { next }
{
  f = $1
  if (f == "@revoked") next
  if (f ~ /^@/) f = $2
  n = split(f, w, ",")
  for (i = 1; i <= n; i++) {
    h = w[i]
    if (h ~ /^\\[/) { sub(/^\\[/, "", h); sub(/\\]:[0-9]+$/, "", h) }
    if (h ~ /^[A-Za-z0-9._:%-]+$/) print h
  }
}`;

/** The `name` fields of `stayssh --list --json`, valid session names only. */
const SESSION_NAMES_AWK = `{
  while (match($0, /"name"[ \\t]*:[ \\t]*"[A-Za-z0-9][A-Za-z0-9._-]*"/)) {
    s = substr($0, RSTART, RLENGTH)
    sub(/^"name"[ \\t]*:[ \\t]*"/, "", s)
    sub(/"$/, "", s)
    print s
    $0 = substr($0, RSTART + RLENGTH)
  }
}`;

/** The shell function body (POSIX sh syntax, valid in bash and zsh) that prints host names. */
function shHostsBody(): string {
  return `  {
    [ -r "$HOME/.ssh/config" ] && awk '${CONFIG_HOSTS_AWK}' "$HOME/.ssh/config"
    [ -r "$HOME/.ssh/known_hosts" ] && awk '${KNOWN_HOSTS_AWK}' "$HOME/.ssh/known_hosts"
  } 2>/dev/null | sort -u`;
}

/** `a b c` for a shell word list (our own words: no quoting needed, checked). */
function words(list: readonly string[]): string {
  for (const w of list) if (!/^[A-Za-z0-9_.=|-]+$/.test(w)) throw new Error(`completion: unsafe word ${w}`);
  return list.join(' ');
}

function bashScript(specs: OptionSpec[]): string {
  const flags = specs.flatMap((s) => s.flags);
  const shortWithValue = specs.filter((s) => s.value !== 'none').flatMap((s) => s.flags).filter((f) => /^-[^-]$/.test(f)).map((f) => f.slice(1)).join('');
  const longWithValue = specs.filter((s) => s.value !== 'none').flatMap((s) => s.flags).filter((f) => f.startsWith('--'));
  const valueCases = specs
    .filter((s) => s.value !== 'none' && s.value !== 'other')
    .map((s) => {
      const pattern = s.flags.join('|');
      switch (s.value) {
        case 'file':
          return `    ${pattern}) compopt -o filenames 2>/dev/null; _stayssh_add "$(compgen -f -- "$cur")" "" "" lines; return 0 ;;`;
        case 'user':
          return `    ${pattern}) _stayssh_add "$(compgen -u -- "$cur")" "" "" lines; return 0 ;;`;
        case 'host':
          return `    ${pattern}) _stayssh_add "$(_stayssh_hosts)" "\${cur%"\${cur##*,}"}" "\${cur##*,}"; return 0 ;;`;
        case 'keyword':
          return `    ${pattern}) compopt -o nospace 2>/dev/null; _stayssh_add "${words(settableKeywords().map((k) => `${k}=`))}" "" "$cur"; return 0 ;;`;
        case 'session':
          return `    ${pattern}) _stayssh_add "$(_stayssh_sessions)" "" "$cur"; return 0 ;;`;
        case 'choice':
          return `    ${pattern}) _stayssh_add "${words(s.choices)}" "" "$cur"; return 0 ;;`;
        default:
          return '';
      }
    })
    .join('\n');
  return `# stayssh completion for bash. Load it with:  source <(stayssh --completion bash)
# (or save it as ~/.local/share/bash-completion/completions/stayssh).

_stayssh_hosts() {
${shHostsBody()}
}

# Session names on the destination found on the line, from stayssh --list --json, with
# the line's connection options, never a prompt (BatchMode), and a timeout.
_stayssh_sessions() {
  [ -n "$_stayssh_dest" ] || return 0
  local t
  t=$(command -v timeout || command -v gtimeout) || return 0
  "$t" -k 1 "\${STAYSSH_COMPLETION_TIMEOUT:-${DEFAULT_COMPLETION_TIMEOUT_S}}" \\
    stayssh -o BatchMode=yes "\${_stayssh_conn[@]}" --list --json "$_stayssh_dest" </dev/null 2>/dev/null |
    awk '${SESSION_NAMES_AWK}'
}

# _stayssh_add LIST PREFIX CUR [lines]: each word of LIST (each line, with \`lines\`: file
# names may hold spaces) that starts with CUR, as PREFIX+word. No compgen -W: it would
# expand what it is given. No mapfile: bash 3.2 (macOS) has none.
_stayssh_add() {
  local w
  while IFS= read -r w; do
    [[ -n $w && $w == "$3"* ]] && COMPREPLY+=("$2$w")
  done < <(if [[ $4 == lines ]]; then printf '%s\\n' "$1"; else printf '%s\\n' $1; fi)
}

_stayssh() {
  COMPREPLY=()
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=
  (( COMP_CWORD > 0 )) && prev=\${COMP_WORDS[COMP_CWORD-1]}
  # COMP_WORDBREAKS splits \`--mux=t\` into \`--mux\` \`=\` \`t\`.
  if [[ $cur == = ]]; then cur=
  elif [[ $prev == = ]] && (( COMP_CWORD > 1 )); then prev=\${COMP_WORDS[COMP_CWORD-2]}
  fi

  # The line as ssh's getopt reads it: options, the destination, options, the command.
  local i=1 w v dest_at=-1 command_at=-1 _stayssh_dest=
  local -a _stayssh_conn=()
  while (( i < \${#COMP_WORDS[@]} )); do
    w=\${COMP_WORDS[i]}
    if [[ $w == -- ]]; then
      if (( dest_at < 0 )); then
        dest_at=$((i + 1)) command_at=$((i + 2))
        (( dest_at != COMP_CWORD )) && _stayssh_dest=\${COMP_WORDS[dest_at]}
      else
        command_at=$((i + 1))
      fi
      break
    elif [[ $w == -?* ]]; then
      v=
      case $w in
        --*=*) ;;
        ${longWithValue.join('|')})
          if [[ \${COMP_WORDS[i+1]} == = ]]; then ((i += 2)); else ((i += 1)); fi
          ;;
        --*) ;;
        *)
          local rest=\${w#-} c
          while [[ -n $rest ]]; do
            c=\${rest:0:1} rest=\${rest:1}
            if [[ ${JSON.stringify(shortWithValue)} == *"$c"* ]]; then
              if [[ -z $rest ]]; then ((i += 1)); v=\${COMP_WORDS[i]}; fi
              break
            fi
          done
          # The connection options go to --list as they are (a leading ~/ expanded).
          if [[ \${w:1:1} == [${CONNECTION_LETTERS}] ]] && (( i != COMP_CWORD )); then
            [[ $v == "~/"* ]] && v=$HOME/\${v#"~/"}
            _stayssh_conn+=("$w")
            [[ -n $v ]] && _stayssh_conn+=("$v")
          fi
          ;;
      esac
    elif (( dest_at < 0 )); then
      dest_at=$i
      (( i != COMP_CWORD )) && _stayssh_dest=$w
    elif (( command_at < 0 )); then
      command_at=$i
      break
    fi
    ((i += 1))
  done

  if (( command_at >= 0 && COMP_CWORD >= command_at )); then
    return 0 # the remote command: nothing stayssh could know
  fi
  case $prev in
${valueCases}
    ${specs.filter((s) => s.value === 'other').flatMap((s) => s.flags).join('|')}) return 0 ;; # a port, a spec, a duration, a command
  esac
  if [[ $cur == -* ]]; then
    _stayssh_add "${words(flags)}" "" "$cur"
  elif (( dest_at == COMP_CWORD || dest_at < 0 )); then
    if [[ $cur == *@* ]]; then
      _stayssh_add "$(_stayssh_hosts)" "\${cur%%@*}@" "\${cur#*@}"
    else
      _stayssh_add "$(_stayssh_hosts)" "" "$cur"
    fi
  fi
  return 0
}

complete -F _stayssh stayssh
`;
}

function zshScript(specs: OptionSpec[]): string {
  const described = specs.flatMap((s) => s.flags.map((f) => `${f}:${s.description.replace(/[:'\\]/g, ' ')}`));
  const shortWithValue = specs.filter((s) => s.value !== 'none').flatMap((s) => s.flags).filter((f) => /^-[^-]$/.test(f)).map((f) => f.slice(1)).join('');
  const longWithValue = specs.filter((s) => s.value !== 'none').flatMap((s) => s.flags).filter((f) => f.startsWith('--'));
  const valueCases = specs
    .filter((s) => s.value !== 'none')
    .map((s) => {
      const pattern = s.flags.join('|');
      switch (s.value) {
        case 'file':
          return `    ${pattern}) _files; return ;;`;
        case 'user':
          return `    ${pattern}) _users; return ;;`;
        case 'host':
          return `    ${pattern}) compset -P '*,'; compadd -- $(_stayssh_hosts); return ;;`;
        case 'keyword':
          return `    ${pattern}) compadd -S '=' -- ${words(settableKeywords())}; return ;;`;
        case 'session':
          return `    ${pattern}) compadd -- $(_stayssh_sessions); return ;;`;
        case 'choice':
          return `    ${pattern}) compadd -- ${words(s.choices)}; return ;;`;
        default:
          return `    ${pattern}) return ;;`;
      }
    })
    .join('\n');
  return `#compdef stayssh
# stayssh completion for zsh. Load it with:  source <(stayssh --completion zsh)
# (after compinit), or save it as _stayssh in a directory of $fpath.

_stayssh_hosts() {
${shHostsBody()}
}

_stayssh_sessions() {
  [[ -n $_stayssh_dest ]] || return 0
  local t
  t=$(command -v timeout || command -v gtimeout) || return 0
  "$t" -k 1 "\${STAYSSH_COMPLETION_TIMEOUT:-${DEFAULT_COMPLETION_TIMEOUT_S}}" \\
    stayssh -o BatchMode=yes "\${_stayssh_conn[@]}" --list --json "$_stayssh_dest" </dev/null 2>/dev/null |
    awk '${SESSION_NAMES_AWK}'
}

_stayssh() {
  local -a opts
  opts=(${described.map((d) => `'${d}'`).join(' ')})
  local i=2 w v c rest dest_at=0 command_at=0 _stayssh_dest=
  local -a _stayssh_conn
  while (( i <= $#words )); do
    w=$words[i]
    if [[ $w == -- ]]; then
      if (( dest_at == 0 )); then
        dest_at=$((i + 1)) command_at=$((i + 2))
        (( dest_at != CURRENT )) && _stayssh_dest=$words[dest_at]
      else
        command_at=$((i + 1))
      fi
      break
    elif [[ $w == -?* ]]; then
      v=
      case $w in
        (--*=*) ;;
        (${longWithValue.join('|')}) (( i += 1 )) ;;
        (--*) ;;
        (*)
          rest=\${w#-}
          while [[ -n $rest ]]; do
            c=\${rest[1]} rest=\${rest[2,-1]}
            if [[ ${JSON.stringify(shortWithValue)} == *$c* ]]; then
              if [[ -z $rest ]]; then (( i += 1 )); v=$words[i]; fi
              break
            fi
          done
          if [[ \${w[2]} == [${CONNECTION_LETTERS}] ]] && (( i != CURRENT )); then
            [[ $v == '~/'* ]] && v=$HOME/\${v#'~/'}
            _stayssh_conn+=($w)
            [[ -n $v ]] && _stayssh_conn+=($v)
          fi
          ;;
      esac
    elif (( dest_at == 0 )); then
      dest_at=$i
      (( i != CURRENT )) && _stayssh_dest=$w
    elif (( command_at == 0 )); then
      command_at=$i
      break
    fi
    (( i += 1 ))
  done

  (( command_at > 0 && CURRENT >= command_at )) && return 0
  case $words[CURRENT-1] in
${valueCases}
  esac
  if [[ $PREFIX == -* ]]; then
    _describe -t options 'stayssh option' opts
  elif (( dest_at == CURRENT || dest_at == 0 )); then
    compset -P '*@'
    compadd -- $(_stayssh_hosts)
  fi
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _stayssh "$@"
else
  compdef _stayssh stayssh
fi
`;
}

function fishScript(specs: OptionSpec[]): string {
  const quote = (s: string) => `'${s.replace(/[\\']/g, (m) => `\\${m}`)}'`;
  const lines = specs.map((s) => {
    const parts = ['complete -c stayssh'];
    for (const f of s.flags) {
      if (f.startsWith('--')) parts.push(`-l ${f.slice(2)}`);
      else parts.push(`-s ${f.slice(1)}`);
    }
    parts.push('-n __stayssh_before_command');
    switch (s.value) {
      case 'none':
        break;
      case 'file':
        parts.push('-r -F');
        break;
      case 'user':
        parts.push("-x -a '(__fish_complete_users)'");
        break;
      case 'host':
        parts.push("-x -a '(__stayssh_hosts)'");
        break;
      case 'keyword':
        parts.push(`-x -a ${quote(settableKeywords().map((k) => `${k}=`).join(' '))}`);
        break;
      case 'session':
        parts.push("-x -a '(__stayssh_sessions)'");
        break;
      case 'choice':
        parts.push(`-x -a ${quote(s.choices.join(' '))}`);
        break;
      default:
        parts.push('-x');
    }
    parts.push(`-d ${quote(s.description)}`);
    return parts.join(' ');
  });
  const shortWithValue = specs.filter((s) => s.value !== 'none').flatMap((s) => s.flags).filter((f) => /^-[^-]$/.test(f)).map((f) => f.slice(1)).join('');
  const longWithValue = specs.filter((s) => s.value !== 'none').flatMap((s) => s.flags).filter((f) => f.startsWith('--'));
  return `# stayssh completion for fish. Load it with:  stayssh --completion fish | source
# (or save it as ~/.config/fish/completions/stayssh.fish).

function __stayssh_hosts
  begin
    test -r "$HOME/.ssh/config"; and awk '${CONFIG_HOSTS_AWK}' "$HOME/.ssh/config"
    test -r "$HOME/.ssh/known_hosts"; and awk '${KNOWN_HOSTS_AWK}' "$HOME/.ssh/known_hosts"
  end 2>/dev/null | sort -u
end

# Reads the line as ssh's getopt does; sets __stayssh_dest, __stayssh_conn and
# __stayssh_in_command (the word being completed belongs to the remote command).
function __stayssh_scan
  set -g __stayssh_dest
  set -g __stayssh_conn
  set -g __stayssh_in_command 0
  set -l tokens (commandline -opc)
  set -e tokens[1]
  set -l have_dest 0
  set -l i 1
  while test $i -le (count $tokens)
    set -l w $tokens[$i]
    if test "$w" = --
      # After \`--\`: the destination (unless one came before), then the command.
      if test $have_dest -eq 1; or test $i -lt (count $tokens)
        test $have_dest -eq 0; and set -g __stayssh_dest $tokens[(math $i + 1)]
        set -g __stayssh_in_command 1
      end
      return
    else if string match -qr '^-.' -- $w
      set -l v
      if string match -qr '^--.*=' -- $w
      else if contains -- $w ${longWithValue.join(' ')}
        set i (math $i + 1)
      else if string match -qr '^--' -- $w
      else
        set -l rest (string sub -s 2 -- $w)
        while test -n "$rest"
          set -l c (string sub -l 1 -- $rest)
          set rest (string sub -s 2 -- $rest)
          if string match -q "*$c*" -- ${shortWithValue}
            if test -z "$rest"
              set i (math $i + 1)
              set v $tokens[$i]
            end
            break
          end
        end
        if string match -qr '^-[${CONNECTION_LETTERS}]' -- $w
          set -a __stayssh_conn $w
          if test -n "$v"
            set -a __stayssh_conn (string replace -r '^~/' "$HOME/" -- $v)
          end
        end
      end
    else if test $have_dest -eq 0
      set have_dest 1
      set -g __stayssh_dest $w
    else
      set -g __stayssh_in_command 1
      return
    end
    set i (math $i + 1)
  end
end

function __stayssh_before_command
  __stayssh_scan
  test $__stayssh_in_command -eq 0
end

function __stayssh_needs_destination
  __stayssh_scan
  test $__stayssh_in_command -eq 0; and test -z "$__stayssh_dest"
end

function __stayssh_sessions
  __stayssh_scan
  test -n "$__stayssh_dest"; or return 0
  set -l t (command -v timeout; or command -v gtimeout)
  test -n "$t"; or return 0
  set -l limit ${DEFAULT_COMPLETION_TIMEOUT_S}
  set -q STAYSSH_COMPLETION_TIMEOUT; and set limit $STAYSSH_COMPLETION_TIMEOUT
  $t[1] -k 1 $limit stayssh -o BatchMode=yes $__stayssh_conn --list --json $__stayssh_dest </dev/null 2>/dev/null | awk '${SESSION_NAMES_AWK}'
end

# user@host: the hosts after the user's name.
function __stayssh_destinations
  set -l user (string match -r '^[^@]*@' -- (commandline -ct))
  for h in (__stayssh_hosts)
    echo "$user$h"
  end
end

complete -c stayssh -f
complete -c stayssh -n __stayssh_needs_destination -a '(__stayssh_destinations)'
${lines.join('\n')}
`;
}

/** The completion script for `shell`, completing the options of `program`. */
export function completionScript(shell: CompletionShell, program: Command): string {
  const specs = optionSpecs(program);
  if (shell === 'bash') return bashScript(specs);
  if (shell === 'zsh') return zshScript(specs);
  return fishScript(specs);
}
