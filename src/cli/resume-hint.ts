/**
 * The command lines stayssh prints for later use ("resume with: ...", "list them: ..."):
 * the user's own words again (so `-p 2222`, `-i key`, `-F file`, `-J hop` still apply),
 * with `--session` set to this session's name, each word quoted for a POSIX shell.
 */
import { shQuote } from '../remote/quote.js';
import { splitArgv } from './argv-split.js';

/** The option words as given, without any `--session NAME` / `--session=NAME`. */
function optionsWithoutSession(options: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < options.length; i++) {
    const o = options[i] ?? '';
    if (o === '--session') i++;
    else if (!o.startsWith('--session=')) kept.push(o);
  }
  return kept;
}

function line(words: readonly string[], command: readonly string[]): string {
  // A command whose first word looks like an option was written after `--`: keep it so.
  const tail = command.length > 0 && command[0]?.startsWith('-') ? ['--', ...command] : command;
  return ['stayssh', ...words, ...tail].map(shQuote).join(' ');
}

/**
 * How to come back to session `name`. `noTty`: a stream session of the login shell (no
 * command), which a terminal's stdin would otherwise turn into an interactive attach.
 */
export function resumeCommandLine(argv: readonly string[], name: string, opts: { noTty?: boolean } = {}): string {
  const { options, destination, command } = splitArgv(argv);
  const kept = optionsWithoutSession(options);
  const noTty = opts.noTty && !kept.includes('-T') ? ['-T'] : [];
  return line(['--session', name, ...noTty, ...kept, destination ?? ''], command);
}

/** How to list the sessions on the same host as the same user. */
export function listCommandLine(argv: readonly string[]): string {
  const { options, destination } = splitArgv(argv);
  return line(['--list', ...optionsWithoutSession(options), destination ?? ''], []);
}
