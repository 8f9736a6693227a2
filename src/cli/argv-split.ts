/**
 * Splits argv the way OpenSSH's getopt loop does, before commander sees it:
 * options, the destination, options again (ssh allows flags after the destination),
 * and from the first non-option word after the destination on, the remote command
 * verbatim — so `stayssh host ls -la` keeps `-la` for `ls`.
 *
 * We only find the boundaries here; commander still parses and validates the options.
 */

/** Short flags that take a value (the `p:` letters of ssh's getopt string). */
const SHORT_WITH_VALUE = new Set([
  'p', 'l', 'i', 'F', 'o', 'J', 'L', 'R', 'D', 'e',
  // OpenSSH 9's other flags with a value, honoured or refused (cli/openssh-flags.ts).
  'B', 'b', 'c', 'E', 'I', 'm', 'O', 'P', 'Q', 'S', 'W', 'w',
]);

/** stayssh's long options that take a value. */
const LONG_WITH_VALUE = new Set([
  '--session', '--mux', '--max-attempts', '--give-up-after', '--backoff-max',
  '--on-disconnect', '--on-reconnect', '--on-give-up', '--events', '--completion', '--older-than',
]);

/**
 * Long options whose value may be left out: the next word is theirs unless it is an
 * option itself (`--kill NAME`, and `--kill --detached`).
 */
const LONG_WITH_OPTIONAL_VALUE = new Set(['--kill']);

export interface SplitArgv {
  /** Option tokens, in order, ready for commander. */
  options: string[];
  destination: string | undefined;
  command: string[];
}

/** Returns how many tokens the option at argv[i] consumes (1 or 2). */
function optionWidth(argv: readonly string[], i: number): number {
  const token = argv[i] ?? '';
  if (token.startsWith('--')) {
    if (token.includes('=')) return 1;
    if (LONG_WITH_OPTIONAL_VALUE.has(token)) return i + 1 < argv.length && !isOption(argv[i + 1] ?? '') ? 2 : 1;
    return LONG_WITH_VALUE.has(token) && i + 1 < argv.length ? 2 : 1;
  }
  // A cluster of short flags: the first one that takes a value eats the rest of the
  // token, or the next token when the rest is empty (`-p22` and `-p 22`, `-tt`, `-4vp22`).
  for (let c = 1; c < token.length; c++) {
    if (SHORT_WITH_VALUE.has(token[c] ?? '')) {
      return c === token.length - 1 && i + 1 < argv.length ? 2 : 1;
    }
  }
  return 1;
}

function isOption(token: string): boolean {
  return token.startsWith('-') && token !== '-';
}

export function splitArgv(argv: readonly string[]): SplitArgv {
  const options: string[] = [];
  let destination: string | undefined;
  let i = 0;
  let afterDoubleDash = false;
  while (i < argv.length) {
    const token = argv[i] ?? '';
    if (!afterDoubleDash && token === '--') {
      afterDoubleDash = true;
      i++;
      continue;
    }
    if (!afterDoubleDash && isOption(token)) {
      const width = optionWidth(argv, i);
      options.push(...argv.slice(i, i + width));
      i += width;
      continue;
    }
    if (destination === undefined) {
      destination = token;
      i++;
      // ssh re-runs getopt after the host: options may follow it, unless `--` ended them.
      continue;
    }
    break;
  }
  return { options, destination, command: argv.slice(i) };
}
