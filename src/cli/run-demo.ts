/** `stayssh --demo` from the CLI: the demo's server and flaky link, then a normal session. */
import { prepareDemo } from '../demo/demo.js';
import { SecretCache } from '../transport/prompter.js';
import { makeConnector } from '../transport/connector.js';
import { generateSessionName } from '../remote/session-names.js';
import { makeLogger } from './logger.js';
import type { CliOptions } from './options.js';
import { localUserName } from '../config/local-user.js';
import { runInteractive } from './run-interactive.js';
import { StaysshError } from '../errors.js';

export async function runDemo(cli: CliOptions): Promise<number> {
  if (!process.stdin.isTTY) throw new StaysshError('--demo needs a terminal: run it in one');
  const log = makeLogger(process.stderr, cli.quiet, cli.verbose);
  const demo = await prepareDemo(localUserName());
  const name = cli.session ?? generateSessionName('demo');
  process.stderr.write(`${demo.intro}\n\n`);
  const connector = makeConnector(demo.cfg, { prompter: undefined, secrets: new SecretCache(), env: {}, warn: (t) => log.warn(t) });
  try {
    return await runInteractive({ cli: { ...cli, session: name, destination: undefined }, cfg: demo.cfg, connector, log, command: undefined, resumable: false });
  } finally {
    await demo.cleanup(name);
    process.stderr.write('stayssh demo: finished; the demo session and server are gone.\n');
  }
}
