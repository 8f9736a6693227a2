// A real Secret Service for keychain tests, private to the test: its own D-Bus session bus
// (a config with no service directories, so D-Bus can never start a second, untracked
// gnome-keyring by activation) and gnome-keyring-daemon with a freshly unlocked login
// keyring in a temporary HOME. Several stayssh runs pointed at `env` share one keyring.
//
// gnome-keyring quirk: `--unlock` with an EMPTY password does not create the login
// keyring; it asks a GUI prompter instead, which fails without a display, and every store
// then fails with "Secret Service: no result found". So the unlock password is non-empty.
import { writeFileSync, mkdirSync } from 'node:fs';
import { run, start, type Running } from './run.js';
import { makeTempDir, type TempDir } from './temp-dir.js';
import { demand } from './requirements.js';
import { waitFor } from './wait-for.js';

/** The programs a Secret Service here takes; startSecretService() demands them all first. */
export const SECRET_SERVICE_TOOLS = ['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon', 'secret-tool'] as const;

/** Wait for the bus address / the keyring to be on the bus, ms: both take ~50 ms here. */
const START_TIMEOUT_MS = 10_000;

export interface SecretService {
  /** DBUS_SESSION_BUS_ADDRESS of the private bus: add to a client's environment. */
  readonly env: Record<string, string>;
  /** The stayssh item of `account` (secret-tool lookup), or undefined. */
  lookup(account: string): Promise<string | undefined>;
  /** Writes a stayssh item as another program would (secret-tool store). */
  store(account: string, secret: string): Promise<void>;
  close(): Promise<void>;
}

const BUS_CONFIG = (dir: string) => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=${dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;

/**
 * A password or keyboard-interactive answer as stayssh stores it (docs/BEHAVIOUR.md §6,
 * docs/DECISIONS.md): the secret and the SHA256 fingerprint of the host key that accepted
 * it, in a v1 JSON envelope. Read and written here on their own, so a test states the
 * stored format instead of borrowing the code under test.
 */
export interface BoundSecret {
  fingerprint: string;
  secret: string;
}

/** The envelope in a stored item, or undefined (nothing stored, or not an envelope: a bare secret). */
export function boundSecret(stored: string | undefined): BoundSecret | undefined {
  if (stored === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    return undefined;
  }
  const e = parsed as { v?: unknown; fingerprint?: unknown; secret?: unknown } | null;
  if (e?.v !== 1 || typeof e.fingerprint !== 'string' || typeof e.secret !== 'string') return undefined;
  return { fingerprint: e.fingerprint, secret: e.secret };
}

/** The value stayssh would store for `secret` accepted under `fingerprint`. */
export function sealedSecret(secret: string, fingerprint: string): string {
  return JSON.stringify({ v: 1, fingerprint, secret });
}

export async function startSecretService(): Promise<SecretService> {
  demand(...SECRET_SERVICE_TOOLS);
  const tmp = makeTempDir('keyring');
  const running: Running[] = [];
  try {
    writeFileSync(tmp.join('bus.conf'), BUS_CONFIG(tmp.path));
    const bus = start('dbus-daemon', ['--config-file', tmp.join('bus.conf'), '--nofork', '--print-address=1']);
    running.push(bus);
    const address = await waitFor(() => bus.stdout().split('\n')[0]?.trim() || undefined, { timeoutMs: START_TIMEOUT_MS, what: 'dbus-daemon to print its address' });
    const home = tmp.join('home');
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const env = { DBUS_SESSION_BUS_ADDRESS: address };
    const daemonEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_RUNTIME_DIR: tmp.path, ...env };
    running.push(start('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], { env: daemonEnv, input: 'stayssh-test-keyring' }));
    await waitFor(
      async () => /boolean true/.test((await run('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets'], { env: daemonEnv })).stdout),
      { timeoutMs: START_TIMEOUT_MS, what: 'gnome-keyring to own org.freedesktop.secrets' },
    );
    return makeHandle(tmp, running, daemonEnv, env);
  } catch (err) {
    for (const r of running) r.kill('SIGTERM');
    await Promise.all(running.map((r) => r.exited));
    tmp.close();
    throw err;
  }
}

function makeHandle(tmp: TempDir, running: Running[], daemonEnv: Record<string, string>, env: Record<string, string>): SecretService {
  return {
    env,
    async lookup(account) {
      const r = await run('secret-tool', ['lookup', 'service', 'stayssh', 'username', account], { env: daemonEnv });
      return r.code === 0 ? r.stdout : undefined;
    },
    async store(account, secret) {
      const r = await run('secret-tool', ['store', '--label', `stayssh test ${account}`, 'service', 'stayssh', 'username', account], { env: daemonEnv, input: secret });
      if (r.code !== 0) throw new Error(`secret-tool store failed: ${r.stderr}`);
    },
    async close() {
      for (const r of [...running].reverse()) r.kill('SIGTERM');
      await Promise.all(running.map((r) => r.exited));
      tmp.close();
    },
  };
}
