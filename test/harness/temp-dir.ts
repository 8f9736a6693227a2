// Temporary directories that always go away: every harness object that writes files
// owns one of these and removes it in close(), even when the test failed.
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  readonly path: string;
  /** Path of a name inside the directory. */
  join(...parts: string[]): string;
  /** Removes the directory tree; safe to call twice. */
  close(): void;
}

/**
 * Creates `/tmp/stayssh-<prefix>-XXXXXX`. `mode` defaults to 0700; sshd.ts asks for
 * 0755 because the unprivileged login user must read authorized_keys inside it.
 */
export function makeTempDir(prefix: string, mode = 0o700): TempDir {
  const path = mkdtempSync(join(tmpdir(), `stayssh-${prefix}-`));
  chmodSync(path, mode);
  let closed = false;
  return {
    path,
    join: (...parts: string[]) => join(path, ...parts),
    close() {
      if (closed) return;
      closed = true;
      rmSync(path, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}
