/** The local user's name: ssh_config's `%u`, and the default remote user. */
import { userInfo } from 'node:os';

export function localUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? 'unknown';
  }
}
