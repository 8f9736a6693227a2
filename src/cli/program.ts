/**
 * The commander definition of stayssh's command line (docs/BEHAVIOUR.md §1). Options only: the
 * destination and command are split off beforehand by argv-split.ts, because ssh's
 * "options may follow the destination, the command is verbatim" rule is not commander's.
 */
import { Command, Option } from 'commander';
import { StaysshError } from '../errors.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
/** For an option whose value is optional: a bare `--kill` leaves `true` behind. */
const collectOptional = (value: string, previous: unknown): string[] => [...(Array.isArray(previous) ? (previous as string[]) : []), value];
const count = (_: string, previous = 0): number => previous + 1;

function positiveInt(what: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1) {
      throw new StaysshError(`${what} must be a positive integer, not "${value}"`);
    }
    return Number(value);
  };
}

/** A TCP port, as ssh takes `-p`: 1–65535. */
function portNumber(value: string): number {
  const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= 65535)) throw new StaysshError(`bad port "${value}" (expected 1-65535)`);
  return n;
}

/** The shells `--completion` writes a script for (cli/completion.ts). */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** The widest help stayssh prints: it must read well in an 80-column terminal. */
export const HELP_WIDTH = 80;

/**
 * What `--help` prints after the options: examples, escapes (docs/BEHAVIOUR.md §4), exit
 * status (§2, §7), files (§6) and environment (§5). Kept under 80 columns; the man page
 * (man/stayssh.1) says the same at length.
 */
export const HELP_FOOTER = `
Examples:
  stayssh lab                     a shell on lab that survives the link
  stayssh --session work lab      attach session "work", creating it if absent
  stayssh lab make -j8            a command: its output arrives exactly once
  stayssh --list lab              the sessions waiting on lab
  stayssh -N -L 8080:db:5432 lab  a tunnel, re-established after each re-dial

Escapes (after a newline; -e or EscapeChar changes the ~):
  ~.   leave (exit 255); the session stays, to resume with --session
  ~R   re-dial now                 ~#   list forwarded connections
  ~^Z  suspend stayssh             ~?   list the escapes
  ~~   send one ~

Exit status:
  the remote shell's or command's own; 255 when the first connection, the
  login or the host key check fails, on giving up, after ~., and for bad
  input; 1 when --kill finds no such session.

Files:
  ~/.ssh/config, ~/.ssh/known_hosts   read as ssh reads them
  ~/.config/stayssh/config            stayssh's options per host, in
                                      ssh_config syntax ($XDG_CONFIG_HOME)

Environment:
  SSH_AUTH_SOCK                   the agent, used first to authenticate
  TERM, LANG, LC_*, COLORTERM     carried to the session on the server
  NO_COLOR                        the status line without inverse video
  STAYSSH_EVENT, STAYSSH_HOST...  set for the --on-* commands (man stayssh)

More: man stayssh`;

export function buildProgram(version: string): Command {
  const program = new Command('stayssh');
  program
    .usage('[options] destination [command [argument ...]]')
    .description('ssh that stays: your shell lives in tmux or screen on the server, and\n' +
      'stayssh re-dials and reattaches it by itself when the link breaks.')
    .allowExcessArguments(true)
    .allowUnknownOption(false)
    // OpenSSH flags (ssh(1))
    .optionsGroup('OpenSSH options (as in ssh(1)):')
    .option('-4', 'use IPv4 addresses only')
    .option('-6', 'use IPv6 addresses only')
    .option('-A', 'forward the authentication agent')
    .option('-a', 'do not forward the authentication agent')
    .option('-N', 'run no remote command (forwarding only)')
    .option('-T', 'disable pseudo-terminal allocation')
    .addOption(new Option('-t', 'force a pseudo-terminal (-tt: even with no tty)').argParser(count))
    .option('-q', 'quiet mode')
    .addOption(new Option('-v', 'verbose mode (repeat for more)').argParser(count))
    .addOption(new Option('-p <port>', 'port to connect to').argParser(portNumber))
    .option('-l <login>', 'user to log in as')
    .addOption(new Option('-i <identity_file>', 'private key file (repeatable)').argParser(collect))
    .option('-F <configfile>', 'ssh config file instead of ~/.ssh/config')
    .addOption(new Option('-o <option>', 'ssh_config option, Key=Value (repeatable)').argParser(collect))
    .option('-J <destination>', 'jump through these hosts (ProxyJump)')
    .addOption(new Option('-L <spec>', 'local forward [bind:]port:host:hostport').argParser(collect))
    .addOption(new Option('-R <spec>', 'remote forward [bind:]port:host:hostport').argParser(collect))
    .addOption(new Option('-D <spec>', 'dynamic SOCKS forward [bind:]port').argParser(collect))
    .option('-e <escape_char>', 'escape character (default ~, "none": no escapes)')
    .option('-C', 'compress the link (zlib)')
    .addOption(new Option('-c <cipher_spec>', 'ciphers, in order (stayssh -Q cipher lists them)'))
    .addOption(new Option('-m <mac_spec>', 'MACs, in order (stayssh -Q mac lists them)'))
    .option('-b <bind_address>', 'local address to connect from')
    .option('-g', 'let other hosts connect to local forwarded ports')
    .option('-n', 'stdin from /dev/null')
    .option('-E <log_file>', 'append warnings and -v lines to log_file')
    .option('-G', 'print the resolved configuration and exit')
    .option('-Q <query>', 'list algorithms: cipher, mac, kex, key, help...')
    .option('-P <tag>', 'tag for Match tagged in ssh_config (Tag)')
    .option('-V', 'print the version on stderr, as ssh does, and exit')
    .option('-x', 'no X11 forwarding (stayssh never forwards X11)')
    .option('-k', 'no GSSAPI delegation (stayssh has no GSSAPI)')
    .option('-y', 'accepted; log lines stay on stderr (no syslog)')
    .option('-X', 'X11 forwarding: not supported')
    .option('-Y', 'trusted X11 forwarding: not supported')
    .option('-K', 'GSSAPI authentication: not supported')
    .option('-M', 'connection sharing master: not supported')
    .option('-S <ctl_path>', 'connection sharing socket: only "none"')
    .option('-O <ctl_cmd>', 'connection sharing command: not supported')
    .option('-f', 'background after login: not supported yet')
    .option('-W <host:port>', 'stdio forwarding: not supported yet')
    .option('-s', 'subsystem (sftp): not supported yet')
    .option('-B <bind_interface>', 'bind to an interface: not supported (use -b)')
    .option('-I <pkcs11>', 'PKCS#11 keys: not supported (use ssh-agent)')
    .option('-w <tunnel>', 'tun device forwarding: not supported')
    // stayssh's own options
    .optionsGroup('Sessions:')
    .option('--session <name>', 'attach to session NAME, creating it if absent')
    .option('--list', "list this user's stayssh sessions on the host")
    .option('--json', 'with --list: print JSON')
    .addOption(new Option('--kill [name]', 'end session NAME (repeatable; words after the destination are more names)').argParser(collectOptional))
    .option('--detached', 'with --kill and no name: end every session no client is attached to')
    .option('--older-than <duration>', 'with --kill --detached: only those created longer ago (30m, 12h, 7d, 2w)')
    .addOption(new Option('--mux <mux>', 'auto (tmux, else screen), tmux or screen').choices(['auto', 'tmux', 'screen']))
    .optionsGroup('Reconnecting and scripting:')
    .addOption(new Option('--max-attempts <n>', 'give up after N failed re-dials').argParser(positiveInt('--max-attempts')))
    .option('--give-up-after <duration>', 'give up once the link is down this long (10m)')
    .option('--backoff-max <duration>', 'cap of the re-dial backoff (default 30s)')
    .option('--on-disconnect <cmd>', 'local command run when the link is lost')
    .option('--on-reconnect <cmd>', 'local command run when the session is back')
    .option('--on-give-up <cmd>', 'local command run when stayssh gives up')
    .option('--events <file>', 'append one JSON line per state change to FILE')
    .optionsGroup('Keychain:')
    .option('--remember', 'keep typed passwords, passphrases in the keychain')
    .option('--forget', 'delete what --remember kept for the host; exit')
    .optionsGroup('Other:')
    .option('--demo', 'run against an embedded server with a flaky link')
    .addOption(new Option('--completion <shell>', 'print a completion script: bash, zsh or fish').choices(COMPLETION_SHELLS))
    .version(version, '--version', 'print the version on stdout and exit')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', HELP_FOOTER);
  program.configureHelp({
    helpWidth: Math.min(process.stdout.columns || HELP_WIDTH, HELP_WIDTH),
    // The choices are in the descriptions: not again after them.
    optionDescription: (option) => option.description,
  });
  // Errors are printed once, by main(), as `stayssh: ...`; commander must not print its own.
  program.configureOutput({ outputError: () => undefined });
  program.exitOverride();
  return program;
}
