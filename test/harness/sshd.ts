// A real OpenSSH sshd on 127.0.0.1 for integration tests: temp host key(s), its own
// authorized_keys, a dedicated login user (as root), VERBOSE log in a file the test reads.
// Each instance gives its sessions a private HOME, TMUX_TMPDIR and SCREENDIR (sshd SetEnv),
// so parallel test files sharing the login user never see each other's tmux sessions or
// state, and close() can find and kill everything its sessions left behind.
import { appendFileSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { freePort, LOOPBACK } from './free-port.js';
import { generateKey, importKey, knownHostsEntry, type KeyPair, type KeyType } from './keys.js';
import { ensureLoginUser, runAs, runningAsRoot, SESSION_PATH, type LoginUser } from './login-user.js';
import { descendantPids, isAlive, pidsWithEnv, trySignal } from './process-tree.js';
import { run, start, type RunResult, type Running } from './run.js';
import { toolPath } from './requirements.js';
import { renderSshdConfig } from './sshd-config.js';
import type { TestServer } from './test-server.js';
import { makeTempDir, type TempDir } from './temp-dir.js';
import { waitFor } from './wait-for.js';

/** sshd start-up to "Server listening" (ms): ~20 ms idle, seconds on a loaded CI box. */
const SSHD_READY_TIMEOUT_MS = 15_000;
/** Grace for sshd and its sessions to exit after SIGTERM (ms) before SIGKILL. */
const SSHD_STOP_TIMEOUT_MS = 5_000;
/** Attempts at a fresh free port when another process grabbed ours in between. */
const BIND_ATTEMPTS = 3;
/** Environment marker sshd puts in every session; close() kills processes carrying it. */
export const SERVER_MARKER_VAR = 'STAYSSH_TEST_SERVER';

export interface StartSshdOptions {
  /** Host key types to generate (default ['ed25519']). Ignored when hostKeyPaths is given. */
  hostKeyTypes?: KeyType[];
  /** Existing private host keys to use (copied, mode 0600; `.pub` derived with ssh-keygen -y). */
  hostKeyPaths?: string[];
  /** Default true. As non-root the password is unknown, so it is useless but harmless. */
  passwordAuthentication?: boolean;
  /** Default false. true forces UsePAM yes (Debian's sshd asks PAM for the prompts). */
  kbdInteractiveAuthentication?: boolean;
  /** Default: same as kbdInteractiveAuthentication. */
  usePam?: boolean;
  /** AcceptEnv patterns (default ['LANG', 'LC_*']; [] for none). */
  acceptEnv?: string[];
  /** Fixed port (default: a free one). */
  port?: number;
  /** Private HOME/TMUX_TMPDIR/SCREENDIR per instance (default true). */
  isolateHome?: boolean;
  /** More SetEnv variables for sessions. */
  setEnv?: Record<string, string>;
  /** Raw sshd_config lines appended at the end. */
  extraConfig?: string[];
  /** The account clients log into (default ensureLoginUser(); e.g. ensureShLoginUser()). */
  loginUser?: LoginUser;
}

export interface SshdHandle extends TestServer {
  readonly kind: 'sshd';
  /** The temp dir holding config, keys, log and the isolated home. */
  readonly dir: string;
  readonly encryptedClientKeyPath: string;
  readonly passphrase: string;
  /** Private paths of the current host keys (first one is hostKeyPub). */
  readonly hostKeyPaths: readonly string[];
  /** Public lines of all current host keys. */
  readonly hostKeyPubs: readonly string[];
  readonly logPath: string;
  /** pid of the listening sshd (changes on restart; 0 while stopped). */
  readonly pid: number;
  /** HOME of the login user's sessions (isolated per instance unless isolateHome: false). */
  readonly userHome: string;
  /** Environment a session of the login user gets (HOME, PATH, TMUX_TMPDIR, ...). */
  readonly sessionEnv: Readonly<Record<string, string>>;
  /** Everything sshd logged so far, across restarts. */
  logText(): string;
  /** `sh -c cmd` as the login user with the session environment, cwd = userHome. */
  runAsUser(cmd: string): Promise<RunResult>;
  /** Stop then start on the same port; 'new' generates different host keys. */
  restart(opts?: { hostKey?: 'same' | 'new'; hostKeyPaths?: string[] }): Promise<void>;
  /** Stops listening, like `systemctl stop ssh`: established sessions live on until close(). */
  stop(): Promise<void>;
}

export async function startSshd(opts: StartSshdOptions = {}): Promise<SshdHandle> {
  // sshd must be started by absolute path (it re-executes itself for each connection).
  const sshdPath = toolPath('sshd');
  const user = opts.loginUser ?? (await ensureLoginUser());
  // Privilege separation chroots into /run/sshd; the package creates it only via systemd.
  if (runningAsRoot()) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = makeTempDir('sshd', 0o755);
  const server = new Sshd(sshdPath, user, dir, opts);
  try {
    await server.init();
    return server;
  } catch (err) {
    await server.close();
    throw err;
  }
}

let penaltiesOptionSupported: Promise<boolean> | undefined;

class Sshd implements SshdHandle {
  readonly kind = 'sshd';
  readonly host = LOOPBACK;
  port = 0;
  readonly user: string;
  readonly password: string | null;
  readonly passphrase = 'stayssh-test-passphrase';
  clientKeyPath = '';
  encryptedClientKeyPath = '';
  hostKeyPaths: string[] = [];
  hostKeyPubs: string[] = [];
  readonly knownHostsPath: string;
  readonly logPath: string;
  readonly userHome: string;
  readonly sessionEnv: Record<string, string>;
  private proc: Running | undefined;
  private keyGeneration = 0;
  private readonly leftovers = new Set<number>();
  private readonly configPath: string;
  private readonly marker: string;
  private closed = false;

  constructor(
    private readonly sshdPath: string,
    private readonly login: LoginUser,
    private readonly tmp: TempDir,
    private readonly opts: StartSshdOptions,
  ) {
    this.user = login.name;
    this.password = login.password;
    this.knownHostsPath = tmp.join('known_hosts');
    this.logPath = tmp.join('sshd.log');
    this.configPath = tmp.join('sshd_config');
    this.marker = basename(tmp.path);
    const isolate = opts.isolateHome ?? true;
    this.userHome = isolate ? tmp.join('home') : login.passwdHome;
    this.sessionEnv = {
      HOME: this.userHome,
      USER: login.name,
      LOGNAME: login.name,
      SHELL: login.shell,
      PATH: SESSION_PATH,
      ...(isolate ? { TMUX_TMPDIR: tmp.join('run'), SCREENDIR: tmp.join('run', 'screen') } : {}),
      [SERVER_MARKER_VAR]: this.marker,
    };
  }

  get dir(): string {
    return this.tmp.path;
  }
  get hostKeyPub(): string {
    return this.hostKeyPubs[0] ?? '';
  }
  get pid(): number {
    return this.proc?.pid ?? 0;
  }

  async init(): Promise<void> {
    writeFileSync(this.logPath, '', { mode: 0o644 });
    if (this.opts.isolateHome ?? true) {
      for (const d of [this.userHome, this.tmp.join('run')]) {
        mkdirSync(d, { mode: 0o700 });
        if (runningAsRoot()) chownSync(d, this.login.uid, this.login.gid);
      }
    }
    const plain = await generateKey(this.tmp.join('id_ed25519'), { comment: 'stayssh-test-client' });
    const encrypted = await generateKey(this.tmp.join('id_ed25519_enc'), { passphrase: this.passphrase, comment: 'stayssh-test-client-enc' });
    this.clientKeyPath = plain.privatePath;
    this.encryptedClientKeyPath = encrypted.privatePath;
    // Readable by the login user: sshd opens it with the user's uid.
    writeFileSync(this.tmp.join('authorized_keys'), `${plain.publicLine}\n${encrypted.publicLine}\n`, { mode: 0o644 });
    await this.installHostKeys(this.opts.hostKeyPaths);
    const fixedPort = this.opts.port;
    for (let attempt = 1; ; attempt++) {
      this.port = fixedPort ?? (await freePort());
      const outcome = await this.launch();
      if (outcome === 'ok') break;
      if (fixedPort !== undefined || attempt >= BIND_ATTEMPTS) throw new Error(`sshd could not bind 127.0.0.1:${this.port}\n${this.logText()}`);
    }
    writeFileSync(this.knownHostsPath, `${this.knownHostsLine()}\n`);
  }

  knownHostsLine(hostAlias: string = LOOPBACK, port: number = this.port): string {
    return this.hostKeyPubs.map((pub) => knownHostsEntry(hostAlias, port, pub)).join('\n');
  }

  logText(): string {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  runAsUser(cmd: string): Promise<RunResult> {
    return runAs(this.login, this.sessionEnv, cmd, existsSync(this.userHome) ? this.userHome : '/');
  }

  async restart(opts: { hostKey?: 'same' | 'new'; hostKeyPaths?: string[] } = {}): Promise<void> {
    await this.stop();
    if (opts.hostKeyPaths) await this.installHostKeys(opts.hostKeyPaths);
    else if (opts.hostKey === 'new') await this.installHostKeys(undefined);
    const outcome = await this.launch();
    if (outcome !== 'ok') throw new Error(`sshd restart could not bind 127.0.0.1:${this.port}\n${this.logText()}`);
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc) return;
    // Per-connection sshd processes call setsid(): remember them now, while they are
    // still our listener's children, so close() can end them later.
    for (const pid of descendantPids(proc.pid)) this.leftovers.add(pid);
    proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise((resolve) => (timer = setTimeout(resolve, SSHD_STOP_TIMEOUT_MS)));
    await Promise.race([proc.exited, deadline]);
    clearTimeout(timer);
    proc.kill('SIGKILL');
    await proc.exited;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.stop();
    // Sessions, their shells, tmux/screen servers: everything with our marker or left over.
    const victims = new Set([...this.leftovers, ...pidsWithEnv(SERVER_MARKER_VAR, this.marker)]);
    for (const pid of victims) trySignal(pid, 'SIGKILL');
    await waitFor(() => [...victims].every((pid) => !isAlive(pid)), {
      timeoutMs: SSHD_STOP_TIMEOUT_MS,
      what: `processes of sshd ${this.marker} to exit (${[...victims].join(' ')})`,
    }).catch(() => undefined); // A zombie whose parent is slow to reap must not fail close().
    this.tmp.close();
  }

  /** Starts sshd on this.port; 'in-use' when the port was taken, throws on other failures. */
  private async launch(): Promise<'ok' | 'in-use'> {
    const config = renderSshdConfig({
      port: this.port,
      hostKeyPaths: this.hostKeyPaths,
      authorizedKeysPath: this.tmp.join('authorized_keys'),
      user: this.user,
      passwordAuthentication: this.opts.passwordAuthentication ?? true,
      kbdInteractiveAuthentication: this.opts.kbdInteractiveAuthentication ?? false,
      usePam: this.opts.usePam ?? this.opts.kbdInteractiveAuthentication ?? false,
      acceptEnv: this.opts.acceptEnv ?? ['LANG', 'LC_*'],
      setEnv: { ...this.sessionEnv, ...this.opts.setEnv },
      disablePenalties: await this.penaltiesSupported(),
      extraLines: this.opts.extraConfig ?? [],
    });
    writeFileSync(this.configPath, config, { mode: 0o644 });
    const offset = statSync(this.logPath).size;
    appendFileSync(this.logPath, `--- harness: starting sshd on port ${this.port}\n`);
    // -D: stay in the foreground (we own the pid); -E: log to our file instead of syslog.
    // Early errors (before -E takes effect) land in the same file through stdout/stderr.
    const logFd = openSync(this.logPath, 'a');
    let proc: Running;
    try {
      proc = start(this.sshdPath, ['-D', '-f', this.configPath, '-E', this.logPath], { outputFd: logFd });
    } finally {
      closeSync(logFd);
    }
    this.proc = proc;
    const listening = `Server listening on ${LOOPBACK} port ${this.port}.`;
    const state = await waitFor(
      () => {
        const log = this.logText().slice(offset);
        if (log.includes(listening)) return 'ok';
        if (proc.child.exitCode !== null || proc.child.signalCode !== null) return /Address already in use/.test(log) ? 'in-use' : 'died';
        return false;
      },
      { timeoutMs: SSHD_READY_TIMEOUT_MS, what: `sshd to listen on 127.0.0.1:${this.port}`, detail: () => this.logText() },
    );
    if (state === 'ok') return 'ok';
    this.proc = undefined;
    await proc.exited;
    if (state === 'in-use') return 'in-use';
    throw new Error(`sshd exited during start-up:\n${this.logText().slice(offset)}`);
  }

  private async installHostKeys(given: string[] | undefined): Promise<void> {
    const generation = ++this.keyGeneration;
    const pairs: KeyPair[] = [];
    if (given) {
      for (const [i, src] of given.entries()) pairs.push(await importKey(src, this.tmp.join(`ssh_host_given${i}_key.${generation}`)));
    } else {
      for (const type of this.opts.hostKeyTypes ?? ['ed25519']) {
        pairs.push(await generateKey(this.tmp.join(`ssh_host_${type}_key.${generation}`), { type, comment: `stayssh-test-host-${generation}` }));
      }
    }
    if (pairs.length === 0) throw new Error('startSshd: no host keys');
    this.hostKeyPaths = pairs.map((p) => p.privatePath);
    this.hostKeyPubs = pairs.map((p) => p.publicLine);
  }

  /** OpenSSH >= 9.8 has PerSourcePenalties; older sshd rejects the keyword. Asked once. */
  private penaltiesSupported(): Promise<boolean> {
    penaltiesOptionSupported ??= (async () => {
      const probe = this.tmp.join('probe_config');
      writeFileSync(probe, `HostKey ${this.hostKeyPaths[0] ?? ''}\nPerSourcePenalties no\n`);
      const result = await run(this.sshdPath, ['-t', '-f', probe], { timeoutMs: 10_000 });
      return result.code === 0;
    })();
    return penaltiesOptionSupported;
  }
}
