// The SSH server a test should use: a real OpenSSH sshd when installed (CI installs it),
// else the in-process ssh2 fallback. Tests that need sshd-only features (a second user,
// PAM, restart with a new host key) call startSshd() and skip when sshdAvailable() is false.
import { existsSync } from 'node:fs';
import { startSsh2Server, type Ssh2ServerHandle } from './ssh2-server.js';
import { startSshd, type SshdHandle, type StartSshdOptions } from './sshd.js';

export function sshdAvailable(): boolean {
  return ['/usr/sbin/sshd', '/usr/local/sbin/sshd'].some((p) => existsSync(p));
}

export async function startTestServer(
  opts: { prefer?: 'sshd' | 'ssh2'; sshd?: StartSshdOptions } = {},
): Promise<SshdHandle | Ssh2ServerHandle> {
  if ((opts.prefer ?? 'sshd') === 'sshd' && sshdAvailable()) return startSshd(opts.sshd);
  return startSsh2Server();
}
