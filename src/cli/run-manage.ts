/** `--list` (`--json`), `--kill NAME...` and `--kill --detached [--older-than AGE]`. */
import type { Connector } from '../transport/connector.js';
import { formatSessionTable, killSession, listSessions, pruneSessions } from './manage.js';
import type { CliOptions } from './options.js';
import { firstDial } from './session-setup.js';

export async function runManage(cli: CliOptions, connector: Connector): Promise<number> {
  const host = connector.config.originalHost;
  const conn = await firstDial(connector);
  try {
    if (cli.kill !== undefined && cli.killDetached) {
      for (const name of await pruneSessions(conn, Math.floor(cli.olderThanMs / 1000))) process.stdout.write(`killed ${name}\n`);
      return 0;
    }
    if (cli.kill !== undefined) {
      // One line per name; 1 if any of them was not there (docs/BEHAVIOUR.md §7).
      let code = 0;
      for (const name of new Set(cli.kill)) {
        if (await killSession(conn, name)) {
          process.stdout.write(`killed ${name}\n`);
        } else {
          process.stderr.write(`stayssh: no session named ${name} on ${host}\n`);
          code = 1;
        }
      }
      return code;
    }
    const sessions = await listSessions(conn, host);
    process.stdout.write(cli.json ? `${JSON.stringify(sessions, null, 2)}\n` : `${formatSessionTable(sessions, new Date())}\n`);
    return 0;
  } finally {
    conn.end();
  }
}
