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

export function buildProgram(version: string): Command {
  const program = new Command('stayssh');
  program
    .usage('[options] destination [command [argument ...]]')
    .description('ssh that stays: the shell lives in tmux/screen on the server and is reattached after the link breaks')
    .version(version, '-V, --version', 'print the version and exit')
    .helpOption('--help', 'show this help')
    .allowExcessArguments(true)
    .allowUnknownOption(false)
    // OpenSSH flags (ssh(1))
    .option('-4', 'use IPv4 addresses only')
    .option('-6', 'use IPv6 addresses only')
    .option('-A', 'forward the authentication agent')
    .option('-a', 'do not forward the authentication agent')
    .option('-N', 'run no remote command (forwarding only)')
    .option('-T', 'disable pseudo-terminal allocation')
    .addOption(new Option('-t', 'force pseudo-terminal allocation (twice: even without a local tty)').argParser(count))
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
    .option('-e <escape_char>', 'escape character (~ by default, "none" to disable)')
    // stayssh's own options
    .option('--session <name>', 'attach to session NAME, creating it if absent')
    .option('--list', "list this user's stayssh sessions on the host")
    .option('--json', 'with --list: print JSON')
    .addOption(new Option('--kill [name]', 'end session NAME (repeatable; words after the destination are more names)').argParser(collectOptional))
    .option('--detached', 'with --kill and no name: end every session no client is attached to')
    .option('--older-than <duration>', 'with --kill --detached: only those created longer ago (30m, 12h, 7d, 2w)')
    .addOption(new Option('--mux <mux>', 'multiplexer holding the session').choices(['auto', 'tmux', 'screen']))
    .addOption(new Option('--max-attempts <n>', 'give up after N failed re-dials').argParser(positiveInt('--max-attempts')))
    .option('--give-up-after <duration>', 'give up after the link has been down this long (90s, 10m, 2h)')
    .option('--backoff-max <duration>', 'cap of the re-dial backoff (default 30s)')
    .option('--on-disconnect <cmd>', 'local command run when the link is lost')
    .option('--on-reconnect <cmd>', 'local command run when the session is back')
    .option('--on-give-up <cmd>', 'local command run when stayssh gives up')
    .option('--events <file>', 'append one JSON line per state change to FILE')
    .option('--remember', 'store typed passwords and passphrases in the OS keychain')
    .option('--forget', 'delete what --remember stored for this destination, then exit')
    .option('--demo', 'run against an embedded server with a flaky link');
  // Errors are printed once, by main(), as `stayssh: ...`; commander must not print its own.
  program.configureOutput({ outputError: () => undefined });
  program.exitOverride();
  return program;
}
