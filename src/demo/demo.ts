/**
 * `stayssh --demo`: the whole product with no server of one's own. An embedded SSH server
 * on 127.0.0.1 logs the current user into a real shell, held by tmux exactly as on a
 * remote host, behind a link that is cut every 15 s (a reset, then a black hole).
 *
 * The demo promises that its session is removed when you leave, however you leave
 * (docs/BEHAVIOUR.md §2): everything it makes lives in one temp dir, its multiplexer's
 * sockets too, and teardown() removes it all synchronously, so that it can run from a
 * signal handler (run-demo.ts) and from process 'exit'.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { generateEd25519 } from './ed25519-key.js';
import { resolveSshConfig } from '../config/ssh-config.js';
import type { ResolvedSshConfig } from '../config/types.js';
import { StaysshError } from '../errors.js';
import { shQuote } from '../remote/quote.js';
import { killCommand } from '../remote/shim.js';
import { startEmbeddedServer, type EmbeddedServer } from './embedded-server.js';
import { BLACKHOLE_MS, CUT_INTERVAL_MS, startFlakyLink, type CutKind, type FlakyLink } from './flaky-link.js';
import { endProcesses, sweepTargets } from './process-sweep.js';


/** Local shim calls (tmux check) get this long, ms. */
const LOCAL_CALL_TIMEOUT_MS = 5_000;
/** Each local command of the teardown (the shim's kill, a tmux kill-server) gets this long, ms. */
const TEARDOWN_CALL_TIMEOUT_MS = 2_000;
/**
 * A cut counts as the cause of an outage when it came after the outage's last contact,
 * or at most this long before it (bytes already on their way when the link was cut), ms.
 */
const CUT_CAUSE_SLACK_MS = 250;

/**
 * What the session's shell prints first (docs/BEHAVIOUR.md §1, `--demo`): what is about
 * to happen and how to leave, at most 6 lines of at most 79 columns. It is part of the
 * session's screen, so tmux's redraw at each reattach keeps it in view (text printed by
 * stayssh before the attach is cleared by it). No line may end in `$` or `#`, which the
 * tests read as the shell's prompt.
 */
export function demoBanner(cutEveryMs: number): string[] {
  const s = (ms: number): string => `${Math.round(ms / 100) / 10}s`;
  return [
    'stayssh demo: your shell, held in tmux behind an SSH server on 127.0.0.1.',
    `Every ${s(cutEveryMs)} the demo cuts the link (a reset, then a ${s(BLACKHOLE_MS)} black hole, in turn).`,
    'Keep typing (try: while sleep 1; do date; done): your shell survives each cut,',
    'and the last row shows the outage while it lasts.',
    'Leave: Enter then ~. to detach, or exit to end the session. Either way the',
    'demo then ends and removes its session and server.',
  ];
}

function sh(command: string): Promise<number> {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', command], { timeout: LOCAL_CALL_TIMEOUT_MS }, (err) => resolve(err ? 1 : 0));
  });
}

/** Runs a teardown command to its end or its deadline, whatever it says. */
function runQuietly(file: string, args: string[], env: NodeJS.ProcessEnv): void {
  try {
    execFileSync(file, args, { env, stdio: 'ignore', timeout: TEARDOWN_CALL_TIMEOUT_MS });
  } catch {
    // No such session (it ended with its shell), no server on that socket: nothing to end.
  }
}

/** The sockets of the tmux servers under TMUX_TMPDIR `dir` (`tmux-UID/NAME`). */
function tmuxSockets(dir: string): string[] {
  const list = (d: string): string[] => {
    try {
      return readdirSync(d).map((name) => join(d, name));
    } catch {
      return [];
    }
  };
  return list(dir).flatMap(list);
}

export interface DemoSetup {
  cfg: ResolvedSshConfig;
  /** One line for stderr before the session starts (the session's screen then replaces it). */
  intro: string;
  /** The session's command: prints the banner (demoBanner), then the user's login shell. */
  command: string;
  /**
   * The status line's cause (InteractiveOptions.statusCause): the demo's last cut, when it
   * came after the outage's last contact (`sinceContactMs` ago); else undefined.
   */
  cause(sinceContactMs: number): readonly [string, string] | undefined;
  /**
   * Ends the demo's session and its multiplexer server, closes the embedded server (its
   * `script` processes killed) and the link, ends whatever the session started that is
   * still there (process-sweep.ts) and removes the temp dir. Synchronous, bounded (a few
   * seconds at worst, ~100 ms as a rule) and idempotent: run it on every way out.
   */
  teardown(): void;
}

/**
 * Starts the server and the flaky link for session `sessionName`; returns the config to
 * dial and the teardown.
 */
export async function prepareDemo(localUser: string, sessionName: string): Promise<DemoSetup> {
  if ((await sh('command -v tmux >/dev/null 2>&1 || command -v screen >/dev/null 2>&1')) !== 0) {
    throw new StaysshError('the demo needs tmux (or screen) installed on this machine: it plays the server');
  }
  const dir = mkdtempSync(join(tmpdir(), 'stayssh-demo-'));
  // The demo's tmux (or screen) runs on sockets of its own, in its temp dir: never on the
  // user's `tmux -L stayssh` server (whose sessions it would count, and whose server it
  // would keep running), and whole to end. The sessions' shells see TMUX_TMPDIR too, so a
  // tmux started in one goes there as well; the variable marks every process started in
  // the demo's sessions, for the sweep.
  const muxEnv = { TMUX_TMPDIR: join(dir, 'tmux'), SCREENDIR: join(dir, 'screen') };
  for (const d of Object.values(muxEnv)) mkdirSync(d, { mode: 0o700 });
  let server: EmbeddedServer | undefined;
  let link: FlakyLink | undefined;
  let tornDown = false;
  const teardown = (): void => {
    if (tornDown) return;
    tornDown = true;
    // The shim's environment as the embedded server gives it (pty-session.ts), so that
    // it finds the session's state dir and multiplexer.
    const env = { ...process.env, HOME: userInfo().homedir, ...muxEnv };
    // As `stayssh --kill`: the session ends (its shell gets its hang-up) and its state
    // dir goes; then any other server on the demo's sockets.
    runQuietly('/bin/sh', ['-c', killCommand(sessionName)], env);
    for (const socket of tmuxSockets(muxEnv.TMUX_TMPDIR)) runQuietly('tmux', ['-S', socket, 'kill-server'], env);
    void link?.close();
    void server?.close();
    endProcesses(() => sweepTargets(`TMUX_TMPDIR=${muxEnv.TMUX_TMPDIR}`));
    rmSync(dir, { recursive: true, force: true });
  };
  const client = generateEd25519('stayssh-demo');
  const keyPath = join(dir, 'id_ed25519');
  // STAYSSH_DEMO_CUT_MS shortens the cycle for the demo's own end-to-end test.
  const interval = Number(process.env['STAYSSH_DEMO_CUT_MS']) || CUT_INTERVAL_MS;
  let lastCut: { kind: CutKind; at: number } | undefined;
  const bannerPath = join(dir, 'banner');
  try {
    writeFileSync(bannerPath, `${demoBanner(interval).join('\n')}\n`);
    writeFileSync(keyPath, client.private, { mode: 0o600 });
    server = await startEmbeddedServer({ user: localUser, password: null, authorizedKeys: [client.public], env: muxEnv });
    // The status line tells what happens during each cut (cause() below): printing more
    // would scribble on the screen that tmux owns.
    link = await startFlakyLink(server.port, (kind) => (lastCut = { kind, at: Date.now() }), interval);
  } catch (err) {
    teardown();
    throw err;
  }
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${link.port} ${server.hostKeyPub}\n`);
  const home = process.env['HOME'] || homedir();
  const cfg = resolveSshConfig({
    host: '127.0.0.1',
    user: localUser,
    port: link.port,
    commandLine: [
      ['IdentityFile', keyPath],
      ['IdentitiesOnly', 'yes'],
      ['UserKnownHostsFile', knownHosts],
      ['GlobalKnownHostsFile', '/dev/null'],
      ['StrictHostKeyChecking', 'yes'],
      ['BatchMode', 'yes'],
      // Notice a black hole in ~2 s, so the demo shows the status line doing its work.
      ['ServerAliveInterval', '1'],
      ['ServerAliveCountMax', '2'],
    ],
    userConfigPath: null,
    systemConfigPath: null,
    homeDir: home,
    localUser,
    localHostName: hostname(),
  });
  const intro = `stayssh demo: logging you (${localUser}) in through an SSH server on 127.0.0.1:${server.port}...`;
  // Run by the user's shell, whichever it is (the session wrapper's `$SHELL -c`): `cat`,
  // `;` and `exec "$SHELL" -l` read the same in sh, bash, zsh, fish and csh.
  const command = `cat ${shQuote(bannerPath)}; exec "$SHELL" -l`;
  const cause = (sinceContactMs: number): readonly [string, string] | undefined => {
    if (!lastCut || Date.now() - lastCut.at > sinceContactMs + CUT_CAUSE_SLACK_MS) return undefined;
    const kind = lastCut.kind === 'reset' ? 'reset' : 'black hole';
    return [`demo cut the link (${kind})`, `demo cut (${kind})`];
  };
  return { cfg, intro, command, cause, teardown };
}
