/**
 * `stayssh --demo`: the whole product with no server of one's own. An embedded SSH server
 * on 127.0.0.1 logs the current user into a real shell, held by tmux exactly as on a
 * remote host, behind a link that is cut every 15 s (a reset, then a black hole).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEd25519 } from './ed25519-key.js';
import { resolveSshConfig } from '../config/ssh-config.js';
import type { ResolvedSshConfig } from '../config/types.js';
import { StaysshError } from '../errors.js';
import { killCommand } from '../remote/shim.js';
import { startEmbeddedServer } from './embedded-server.js';
import { BLACKHOLE_MS, CUT_INTERVAL_MS, startFlakyLink } from './flaky-link.js';


/** Local shim calls (tmux check, cleanup) get this long, ms. */
const LOCAL_CALL_TIMEOUT_MS = 5_000;

function sh(command: string): Promise<number> {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', command], { timeout: LOCAL_CALL_TIMEOUT_MS }, (err) => resolve(err ? 1 : 0));
  });
}

export interface DemoSetup {
  cfg: ResolvedSshConfig;
  intro: string;
  cleanup(sessionName: string): Promise<void>;
}

/** Starts the server and the flaky link; returns the config to dial and how to clean up. */
export async function prepareDemo(localUser: string): Promise<DemoSetup> {
  if ((await sh('command -v tmux >/dev/null 2>&1 || command -v screen >/dev/null 2>&1')) !== 0) {
    throw new StaysshError('the demo needs tmux (or screen) installed on this machine: it plays the server');
  }
  const dir = mkdtempSync(join(tmpdir(), 'stayssh-demo-'));
  const client = generateEd25519('stayssh-demo');
  const keyPath = join(dir, 'id_ed25519');
  writeFileSync(keyPath, client.private, { mode: 0o600 });
  const server = await startEmbeddedServer({ user: localUser, password: null, authorizedKeys: [client.public] });
  // The status line tells what happens during each cut: printing more would scribble on
  // the screen that tmux owns.
  // STAYSSH_DEMO_CUT_MS shortens the cycle for the demo's own end-to-end test.
  const interval = Number(process.env['STAYSSH_DEMO_CUT_MS']) || CUT_INTERVAL_MS;
  const link = await startFlakyLink(server.port, () => undefined, interval);
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
  const intro = [
    `stayssh demo: an SSH server on 127.0.0.1:${server.port} logs you (${localUser}) into your own shell,`,
    `held in tmux as on a remote host. The link is cut every ${interval / 1000}s: a reset, then a ${BLACKHOLE_MS / 1000}s black hole, in turn.`,
    'Run something that prints (e.g. `top`, or `while sleep 1; do date; done`) and watch it survive.',
    'Leave with Enter, then ~.   (the demo session is removed when you leave)',
  ].join('\n');
  return {
    cfg,
    intro,
    async cleanup(sessionName: string) {
      await sh(killCommand(sessionName));
      await link.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
