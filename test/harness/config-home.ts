// Shared scaffolding for the config tests (test/unit/config-ssh-*.test.ts): a throw-away
// home directory with .ssh/config.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { resolveSshConfig, type ResolveInput } from '../../src/config/ssh-config.js';
import type { ResolvedSshConfig } from '../../src/config/types.js';

export interface TempHome {
  home: string;
  sshDir: string;
  userConfig: string;
  systemConfig: string;
  /** Writes a file relative to the home directory (or absolute), creating directories. */
  write(path: string, content: string): string;
}

export function tempHome(): TempHome {
  const home = mkdtempSync(join(tmpdir(), 'stayssh-config-'));
  const sshDir = join(home, '.ssh');
  mkdirSync(sshDir, { mode: 0o700 });
  mkdirSync(join(home, 'etc-ssh'));
  return {
    home,
    sshDir,
    userConfig: join(sshDir, 'config'),
    systemConfig: join(home, 'etc-ssh', 'ssh_config'),
    write(path, content) {
      const full = path.startsWith('/') ? path : join(home, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
      return full;
    },
  };
}

/** Resolves `host` with the temp home's files; `extra` overrides any input field. */
export function resolveIn(t: TempHome, host: string, extra: Partial<ResolveInput> = {}): ResolvedSshConfig {
  return resolveSshConfig({
    host,
    commandLine: [],
    userConfigPath: t.userConfig,
    systemConfigPath: t.systemConfig,
    homeDir: t.home,
    localUser: 'alice',
    localHostName: 'laptop.example.org',
    env: { HOME: t.home, SSH_AUTH_SOCK: '/tmp/agent.sock', KEYDIR: '/keys' },
    uid: 1000,
    ...extra,
  });
}
