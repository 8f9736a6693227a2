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
import { reraise } from '../terminal/raw-mode.js';

/** The signals that end stayssh, each of which must end the demo too. */
const ENDING_SIGNALS = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM'] as const;

export async function runDemo(cli: CliOptions): Promise<number> {
  if (!process.stdin.isTTY) throw new StaysshError('--demo needs a terminal: run it in one');
  const log = makeLogger(process.stderr, cli.quiet, cli.verbose);
  const name = cli.session ?? generateSessionName('demo');
  const demo = await prepareDemo(localUserName(), name);
  const release = tearDownOnSignals(demo.teardown);
  process.stderr.write(`${demo.intro}\n`);
  const connector = makeConnector(demo.cfg, { prompter: undefined, secrets: new SecretCache(), env: {}, warn: (t) => log.warn(t) });
  try {
    // The banner comes from the session's own shell (demo.ts), so that it stays on the
    // session's screen. No "list them" line: the demo's server has no sessions but this one,
    // and no command typed elsewhere could reach it (docs/BEHAVIOUR.md §1, `--demo`).
    return await runInteractive({
      cli: { ...cli, session: name, destination: undefined },
      cfg: demo.cfg,
      connector,
      log,
      command: demo.command,
      resumable: false,
      listCommand: null,
      statusCause: demo.cause,
    });
  } finally {
    demo.teardown();
    release();
    // The one command named here must work as printed: the demo's session is gone, so
    // there is nothing to resume, and `stayssh --session NAME` would start a new one.
    process.stderr.write(`stayssh demo: finished; session ${name} and the demo's server are gone, nothing is left to resume. Again: stayssh --demo\n`);
  }
}

/**
 * Runs `teardown` in the handler of every ending signal, and on process 'exit'. A
 * teardown left to the `finally` above never ran on SIGHUP (the terminal closing) or
 * SIGINT: stayssh dies of those (raw-mode.ts) without returning from anything, and
 * util-linux `script` (the embedded server's pty), the tmux server and the shell lived
 * on. After the teardown the signal goes on as it would without the demo: another
 * listener decides (raw-mode.ts restores the terminal, then dies of it; SIGTERM leaves
 * the session, then the `finally`), or with none left we die of it here. Returns the
 * unsubscribe.
 */
function tearDownOnSignals(teardown: () => void): () => void {
  const handlers = ENDING_SIGNALS.map((signal) => {
    const handler = (): void => {
      teardown();
      release();
      if (process.listenerCount(signal) === 0) reraise(process, signal);
    };
    process.on(signal, handler);
    return { signal, handler };
  });
  process.on('exit', teardown);
  function release(): void {
    for (const { signal, handler } of handlers) process.off(signal, handler);
    process.off('exit', teardown);
  }
  return release;
}
