/** `--list` (`--json`) and `--kill NAME`. */
import type { Connector } from '../transport/connector.js';
import { formatSessionTable, killSession, listSessions } from './manage.js';
import type { CliOptions } from './options.js';
import { firstDial } from './session-setup.js';

export async function runManage(cli: CliOptions, connector: Connector): Promise<number> {
  const conn = await firstDial(connector);
  try {
    if (cli.kill !== undefined) {
      if (await killSession(conn, cli.kill)) return 0;
      process.stderr.write(`stayssh: no session named ${cli.kill} on ${connector.config.originalHost}\n`);
      return 1;
    }
    const sessions = await listSessions(conn);
    process.stdout.write(cli.json ? `${JSON.stringify(sessions, null, 2)}\n` : `${formatSessionTable(sessions)}\n`);
    return 0;
  } finally {
    conn.end();
  }
}
