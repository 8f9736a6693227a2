// What `npm test` needs on the machine, and the check scripts/run-tests.mjs makes before
// it builds anything: a machine without one of these tools gets one line naming them and
// the command that installs them, instead of a run with stack traces from every test
// that uses them. The same table gives test/harness/requirements.ts the Debian package
// to name when a single test finds a tool missing.
//
//   node scripts/preflight.mjs      prints that line and exits 1, or prints nothing, exits 0
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The system tools the tests run, each with the Debian package that provides it (all of
 * them are in .ci/run's list, or Essential and so on every Debian system). `paths`: where
 * the tests look for it before PATH (sshd is started by absolute path, and /usr/sbin is
 * often not on a user's PATH). `asRoot`: used only by tests that run as root (creating
 * the login user, network namespaces), so a run as another user does not need it.
 * autossh (.ci/run installs it) is not here: only the benchmarks run it.
 */
export const TOOLS = [
  { name: 'sshd', package: 'openssh-server', paths: ['/usr/sbin/sshd', '/usr/local/sbin/sshd'] },
  { name: 'ssh', package: 'openssh-client' },
  { name: 'ssh-keygen', package: 'openssh-client' },
  { name: 'ssh-agent', package: 'openssh-client' },
  { name: 'ssh-add', package: 'openssh-client' },
  { name: 'tmux', package: 'tmux' },
  { name: 'screen', package: 'screen' },
  { name: 'dbus-daemon', package: 'dbus' },
  { name: 'dbus-send', package: 'dbus' },
  { name: 'gnome-keyring-daemon', package: 'gnome-keyring' },
  { name: 'secret-tool', package: 'libsecret-tools' },
  { name: 'pgrep', package: 'procps' },
  { name: 'script', package: 'bsdutils' },
  { name: 'setsid', package: 'util-linux' },
  { name: 'dash', package: 'dash' },
  { name: 'busybox', package: 'busybox' },
  { name: 'shellcheck', package: 'shellcheck' },
  { name: 'man', package: 'man-db' },
  { name: 'ip', package: 'iproute2', asRoot: true },
  { name: 'useradd', package: 'passwd', asRoot: true },
  { name: 'chpasswd', package: 'passwd', asRoot: true },
  { name: 'runuser', package: 'util-linux', asRoot: true },
];

/** Packages of TOOLS that .ci/run does not install because every Debian system has them. */
export const ESSENTIAL_PACKAGES = ['util-linux', 'dash'];

/**
 * Where `name` is: the first of `paths` that exists, else the first executable file of
 * that name in a directory of `PATH`; undefined when neither.
 */
export function findTool(name, { PATH = process.env.PATH ?? '', paths = [] } = {}) {
  for (const candidate of [...paths, ...PATH.split(delimiter).filter((d) => d !== '').map((d) => join(d, name))]) {
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not there, or not executable: look further
    }
  }
  return undefined;
}

/** The entries of `tools` this machine lacks, looking in `PATH`; asRoot ones only as root. */
export function missingTools({ PATH = process.env.PATH ?? '', asRoot = process.getuid?.() === 0, tools = TOOLS } = {}) {
  return tools.filter((t) => (asRoot || !t.asRoot) && findTool(t.name, { PATH, paths: t.paths }) === undefined);
}

/** The packages that provide `tools`, each once, in table order. */
export function packagesOf(tools) {
  return [...new Set(tools.map((t) => t.package))];
}

/** `apt-get install PACKAGES` for `tools`, with sudo when we are not root. */
export function installCommand(tools, { asRoot = process.getuid?.() === 0 } = {}) {
  return `${asRoot ? '' : 'sudo '}apt-get install ${packagesOf(tools).join(' ')}`;
}

/**
 * The one line `npm test` prints when tools are missing, or undefined when none is:
 * `npm test: missing sshd, secret-tool: run 'bash .ci/run' or 'apt-get install openssh-server libsecret-tools'`.
 */
export function preflight({ PATH = process.env.PATH ?? '', asRoot = process.getuid?.() === 0 } = {}) {
  const missing = missingTools({ PATH, asRoot });
  if (missing.length === 0) return undefined;
  return `npm test: missing ${missing.map((t) => t.name).join(', ')}: run 'bash .ci/run' or '${installCommand(missing, { asRoot })}'`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const line = preflight();
  if (line !== undefined) {
    console.error(line);
    process.exit(1);
  }
}
