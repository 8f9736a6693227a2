// The account that test clients log into. As root (CI) that is a dedicated unprivileged
// user with a password we know, so password and keyboard-interactive logins can be tested
// and nothing runs as root on the "server" side. Without root it is the current user,
// whose password we do not know (password === null): password tests need root, see
// loginPassword().
import { userInfo } from 'node:os';
import { demand } from './requirements.js';
import { run, runOk, type RunResult } from './run.js';
import type { TestServer } from './test-server.js';

export const TEST_LOGIN_USER = 'stayssh-test';
/**
 * A second dedicated account, the same but for its login shell, /bin/sh (dash on Debian;
 * TEST_LOGIN_USER's is bash): the bench compares the two (issue 18). Root only.
 */
export const TEST_SH_LOGIN_USER = 'stayssh-test-sh';
/** Known password of TEST_LOGIN_USER (root runs only). Test-only, never a real secret. */
export const TEST_LOGIN_PASSWORD = 'stayssh-test-pw-7Kq2';
/** What sshd (UsePAM no) puts in PATH on Debian; tmux and screen live in /usr/bin. */
export const SESSION_PATH = '/usr/local/bin:/usr/bin:/bin:/usr/games';

export interface LoginUser {
  name: string;
  uid: number;
  gid: number;
  /** The account's home from the passwd database (sshd chdirs there). */
  passwdHome: string;
  shell: string;
  /** null when the password is unknown (not running as root). */
  password: string | null;
  /** True when it is the dedicated test account (we are root). */
  dedicated: boolean;
}

export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

async function lookup(name: string): Promise<LoginUser | null> {
  const result = await run('getent', ['passwd', name], { timeoutMs: 5_000 });
  if (result.code !== 0) return null;
  const fields = result.stdout.trim().split(':');
  if (fields.length < 7) return null;
  return {
    name,
    uid: Number(fields[2]),
    gid: Number(fields[3]),
    passwdHome: fields[5] ?? '/',
    shell: fields[6] || '/bin/sh',
    password: null,
    dedicated: false,
  };
}

let ensured: Promise<LoginUser> | undefined;
let ensuredSh: Promise<LoginUser> | undefined;

/** Creates (root) or describes (non-root) the login user; memoized per test process. */
export function ensureLoginUser(): Promise<LoginUser> {
  ensured ??= runningAsRoot() ? ensureDedicated(TEST_LOGIN_USER, '/bin/bash') : Promise.resolve(currentUser());
  return ensured;
}

/**
 * TEST_SH_LOGIN_USER, whose login shell is /bin/sh; memoized. Only root can create it:
 * otherwise it rejects, saying so.
 */
export function ensureShLoginUser(): Promise<LoginUser> {
  ensuredSh ??= runningAsRoot()
    ? ensureDedicated(TEST_SH_LOGIN_USER, '/bin/sh')
    : Promise.reject(new Error(`missing root: a login user whose shell is /bin/sh (${TEST_SH_LOGIN_USER}) is created as root only`));
  return ensuredSh;
}

function currentUser(): LoginUser {
  const me = userInfo();
  return {
    name: me.username,
    uid: me.uid,
    gid: me.gid,
    passwdHome: me.homedir,
    shell: me.shell ?? '/bin/sh',
    password: null,
    dedicated: false,
  };
}

async function ensureDedicated(name: string, shell: string): Promise<LoginUser> {
  if ((await lookup(name)) === null) {
    const created = await run('useradd', ['-m', '-s', shell, name], { timeoutMs: 15_000 });
    // Another test file running in parallel may have created it a moment ago: fine.
    if (created.code !== 0 && (await lookup(name)) === null) {
      throw new Error(`useradd ${name} failed: ${created.stderr}`);
    }
  }
  // Always (re)set: a locked account ("!" in shadow) is refused by sshd even for keys
  // when UsePAM is no, and someone may have changed it by hand.
  await runOk('chpasswd', [], { input: `${name}:${TEST_LOGIN_PASSWORD}\n`, timeoutMs: 15_000 });
  const user = await lookup(name);
  if (user === null) throw new Error(`${name} vanished after useradd`);
  return { ...user, password: TEST_LOGIN_PASSWORD, dedicated: true };
}

/**
 * The password that logs in to `server`. Known only when the tests run as root (they then
 * set it, see ensureLoginUser): otherwise MissingRequirement "missing root: ...". Tests
 * that type it name 'root' in needs() too, so outside CI they skip with that line.
 */
export function loginPassword(server: TestServer): string {
  if (server.password !== null) return server.password;
  demand('root');
  throw new Error(`the login password of ${server.user} is unknown although we are root`);
}

/**
 * Runs `/bin/sh -c command` as `user` with exactly `env` (no inherited variables), like
 * a command the user would run on the server. As root via runuser (which sets the
 * supplementary groups properly, unlike spawn's uid option); otherwise directly.
 */
export function runAs(user: LoginUser, env: Record<string, string>, command: string, cwd?: string): Promise<RunResult> {
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const inner = ['/usr/bin/env', '-i', ...envArgs, '/bin/sh', '-c', command];
  if (runningAsRoot() && user.uid !== 0) {
    return run('runuser', ['-u', user.name, '--', ...inner], { cwd });
  }
  return run(inner[0] as string, inner.slice(1), { cwd });
}
