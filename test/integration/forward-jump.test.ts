// ProxyJump against a real sshd used three times under three names (two jump hosts and
// the destination), the first hop behind a fault proxy: the chain is built, each hop
// configured from ssh_config only, a session and a forward survive a reset of the first
// hop, and a hop that cannot be reached is named in the one error line.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { freePort } from '../harness/free-port.js';
import type { Running } from '../harness/run.js';
import { isolatedClientEnv } from '../harness/ssh-client.js';
import { startSshd, type SshdHandle } from '../harness/sshd.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';
import { waitFor } from '../harness/wait-for.js';
import { echoVia, startEcho, type EchoServer } from '../harness/forward-tools.js';
import { runStayssh, singleErrorLine, startStayssh } from '../harness/stayssh-cli.js';

/** Wait for the chain to come (back) up, ms: three logins in a row on a loaded box. */
const CHAIN_READY_MS = 20_000;

describe('ProxyJump chains are rebuilt after a reset of the first hop', () => {
  let sshd: SshdHandle;
  let proxy: FaultProxy;
  let echo: EchoServer;
  let tmp: TempDir;
  let env: NodeJS.ProcessEnv;
  let config: string;
  const running: Running[] = [];

  before(async () => {
    sshd = await startSshd();
    proxy = await startFaultProxy({ port: sshd.port });
    echo = await startEcho();
    tmp = makeTempDir('jump');
    env = isolatedClientEnv(tmp.path);
    const knownHosts = tmp.join('known_hosts');
    writeFileSync(knownHosts, `${sshd.knownHostsLine('127.0.0.1', proxy.port)}\n${sshd.knownHostsLine('127.0.0.1', sshd.port)}\n`);
    const closedPort = await freePort();
    config = tmp.join('ssh_config');
    writeFileSync(
      config,
      [
        // The first hop is reached through the fault proxy, the rest directly.
        `Host jump1`, `  HostName 127.0.0.1`, `  Port ${proxy.port}`,
        `Host jump2`, `  HostName 127.0.0.1`, `  Port ${sshd.port}`,
        `Host target`, `  HostName 127.0.0.1`, `  Port ${sshd.port}`, `  ProxyJump jump1,jump2`,
        `Host nowhere`, `  HostName 127.0.0.1`, `  Port ${closedPort}`,
        `Host *`, `  User ${sshd.user}`, `  IdentityFile ${sshd.clientKeyPath}`, `  IdentitiesOnly yes`,
        `  UserKnownHostsFile ${knownHosts}`, `  GlobalKnownHostsFile /dev/null`, `  StrictHostKeyChecking yes`,
        `  BatchMode yes`, `  ConnectTimeout 10`, '',
      ].join('\n'),
    );
  });
  after(async () => {
    for (const r of running) r.kill();
    await Promise.all(running.map((r) => r.exited));
    await echo?.close();
    await proxy?.close();
    await sshd?.close();
    tmp?.close();
  });

  const liveness = ['-o', 'ServerAliveInterval=1', '-o', 'ServerAliveCountMax=2', '--backoff-max', '1s'];

  test('a stream session through two jump hosts survives a reset of the first hop', async () => {
    const flag = `${sshd.userHome}/jump-flag`;
    const events = tmp.join('events-stream.jsonl');
    // The command waits for a file the test creates after the reset: no timing involved.
    const cmd = `echo started; while [ ! -e ${flag} ]; do sleep 0.1; done; echo finished; exit 3`;
    const proc = startStayssh(['-F', config, ...liveness, '--events', events, 'target', cmd], { env });
    running.push(proc);
    await waitFor(() => proc.stdout().includes('started'), { what: 'the command to start through the chain', timeoutMs: CHAIN_READY_MS, detail: () => proc.stderr() });
    const accepted = proxy.connectionsAccepted;
    assert.ok(accepted >= 1, 'the first hop went through the proxy');
    proxy.reset();
    await waitFor(() => readFileSync(events, 'utf8').includes('"event":"reconnected"'), { what: 'the chain to be rebuilt', timeoutMs: CHAIN_READY_MS, detail: () => proc.stderr() });
    assert.ok(proxy.connectionsAccepted > accepted, 'the first hop was dialed again');
    await sshd.runAsUser(`touch ${flag}`);
    const result = await proc.exited;
    assert.equal(result.code, 3, result.stderr);
    assert.equal(result.stdout, 'started\nfinished\n');
  });

  test('-L through the chain carries data again after a reset; command-line -o does not reach the hops', async () => {
    const port = await freePort();
    const before = proxy.connectionsAccepted;
    // -o Port would send jump1 straight to sshd (bypassing the proxy) if it leaked to hops.
    const proc = startStayssh(['-F', config, ...liveness, '-o', `Port=${sshd.port}`, '-N', '-L', `${port}:127.0.0.1:${echo.port}`, 'target'], { env });
    running.push(proc);
    const ready = (what: string) =>
      waitFor(async () => (await echoVia(port, what)) === what, { what, timeoutMs: CHAIN_READY_MS, detail: () => proc.stderr() });
    await ready('through the chain');
    assert.ok(proxy.connectionsAccepted > before, 'jump1 was reached through its own Port, not the command line');
    proxy.reset();
    await ready('through the rebuilt chain');
    assert.equal(proc.child.exitCode, null);
  });

  test('a jump host that cannot be reached is named in the one error line (255)', async () => {
    const r = await runStayssh(['-F', config, '-J', 'nowhere', 'target', 'true'], { env });
    assert.equal(r.code, 255);
    assert.match(singleErrorLine(r.stderr), /^stayssh: jump host nowhere \(hop 1 of 1\): .*refused/);
  });
});
