// End to end at a real terminal: `-A` keeps the local agent usable inside the long-lived
// remote session across a link reset (the session's SSH_AUTH_SOCK is a stable path that
// the shim re-points at each new forwarded socket), and `~#` lists an open -L connection.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { freePort } from '../harness/free-port.js';
import { run, start, type Running } from '../harness/run.js';
import { clientArgs, isolatedClientEnv } from '../harness/ssh-client.js';
import { startSshd, type SshdHandle } from '../harness/sshd.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';
import { startTerminal, type Terminal } from '../harness/terminal.js';
import { waitFor } from '../harness/wait-for.js';
import { exchange, openSocket, startEcho, type EchoServer } from '../harness/forward-tools.js';
import { staysshCommandLine } from '../harness/stayssh-cli.js';

/** Wait for the shell prompt / a reattach, ms: a login on a loaded box. */
const SCREEN_TIMEOUT_MS = 15_000;

describe('agent forwarding and ~# at a terminal', () => {
  let sshd: SshdHandle;
  let proxy: FaultProxy;
  let echo: EchoServer;
  let tmp: TempDir;
  let env: Record<string, string>;
  let knownHosts: string;
  let agent: Running | undefined;
  let fingerprint = '';
  const terminals: Terminal[] = [];

  before(async () => {
    sshd = await startSshd();
    proxy = await startFaultProxy({ port: sshd.port });
    echo = await startEcho();
    tmp = makeTempDir('agent');
    const agentSock = tmp.join('agent.sock');
    agent = start('ssh-agent', ['-D', '-a', agentSock]);
    await waitFor(() => existsSync(agentSock), { what: 'ssh-agent to listen' });
    env = isolatedClientEnv(tmp.path, { SSH_AUTH_SOCK: agentSock }) as Record<string, string>;
    const added = await run('ssh-add', [sshd.clientKeyPath], { env });
    assert.equal(added.code, 0, added.stderr);
    fingerprint = (await run('ssh-keygen', ['-lf', sshd.clientKeyPath])).stdout.split(' ')[1] ?? '';
    assert.match(fingerprint, /^SHA256:/);
    knownHosts = tmp.join('known_hosts');
    writeFileSync(knownHosts, `${sshd.knownHostsLine('127.0.0.1', proxy.port)}\n`);
  });
  after(async () => {
    for (const t of terminals) await t.close();
    agent?.kill();
    await agent?.exited;
    await echo?.close();
    await proxy?.close();
    await sshd?.close();
    tmp?.close();
  });

  async function openSession(extra: string[]): Promise<Terminal> {
    const args = clientArgs(sshd, {
      port: proxy.port,
      knownHostsFile: knownHosts,
      options: { ServerAliveInterval: '1', ServerAliveCountMax: '2' },
      extra: ['--backoff-max', '1s', ...extra],
    });
    const term = await startTerminal({ command: staysshCommandLine(args), env });
    terminals.push(term);
    await term.waitForText(/\$\s*$/m, { timeoutMs: SCREEN_TIMEOUT_MS });
    return term;
  }

  async function command(term: Terminal, line: string): Promise<void> {
    await term.type(line);
    await term.press('Enter');
  }

  test('ssh-add -l inside the session lists the local key before and after a reset', async () => {
    const term = await openSession(['-A']);
    await command(term, 'echo "SOCK=$SSH_AUTH_SOCK LINK1=$(readlink "$SSH_AUTH_SOCK")"; ssh-add -l | sed "s/^/AGENT1 /"');
    await term.waitForText(new RegExp(`^AGENT1 \\d+ ${fingerprint.replace(/[+/]/g, '.')}`, 'm'), { timeoutMs: SCREEN_TIMEOUT_MS, join: true });
    const link1 = /SOCK=\/\S+\/stayssh\/agent\.sock LINK1=(\/\S+)/.exec(await term.screen({ join: true }))?.[1];
    assert.ok(link1, 'SSH_AUTH_SOCK is the stable path, a link to the forwarded socket');

    proxy.reset();
    // Typed during the outage or after: delivered once reattached, with a fresh forwarded socket.
    await command(term, 'echo "LINK2=$(readlink "$SSH_AUTH_SOCK")"; ssh-add -l | sed "s/^/AGENT2 /"');
    // The output line, not the echo of the command typed (which contains "AGENT2 " too).
    const screen = await term.waitForText(/^AGENT2 \S/m, { timeoutMs: SCREEN_TIMEOUT_MS, join: true });
    assert.match(screen, new RegExp(`^AGENT2 \\d+ ${fingerprint.replace(/[+/]/g, '.')}`, 'm'));
    const link2 = /^LINK2=(\/\S+)/m.exec(screen)?.[1];
    assert.ok(link2 && link2 !== link1, `the stable path follows the new link's socket (${link1} -> ${link2})`);

    await command(term, 'exit 0');
    assert.deepEqual(await term.waitForExit({ timeoutMs: SCREEN_TIMEOUT_MS }), { code: 0, signal: null });
  });

  test('~# lists an open -L connection, which carries data again after a reset', async () => {
    const port = await freePort();
    const term = await openSession(['-L', `${port}:127.0.0.1:${echo.port}`]);
    const sock = await openSocket(port);
    assert.equal(await exchange(sock, 'through -L'), 'through -L');
    await term.press('Enter');
    await term.type('~#');
    await term.waitForText(new RegExp(`-L ${port}:127\\.0\\.0\\.1:${echo.port} from 127\\.0\\.0\\.1:\\d+`), { timeoutMs: SCREEN_TIMEOUT_MS });
    sock.destroy();

    proxy.reset();
    const again = await openSocket(port);
    assert.equal(await exchange(again, 'after the reset', SCREEN_TIMEOUT_MS), 'after the reset');
    again.destroy();
    await command(term, 'exit 0');
    assert.deepEqual(await term.waitForExit({ timeoutMs: SCREEN_TIMEOUT_MS }), { code: 0, signal: null });
  });
});
