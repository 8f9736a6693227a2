// Issue 16's "done when" for tunnels: `stayssh -N -L` roams as a shell does. The client
// lives in its own network namespace (test/harness/netns.ts) and moves to a new address;
// keepalives are long (15 s × 3 = 45 s to notice a dead link by silence), and yet a
// connection opened through the -L port right after the move gets its echo within a few
// seconds, because the engine watched the addresses and re-dialed at once. The 10 s
// deadline is itself the proof: silence alone would take 45 s. The events file must show
// the same sequence a shell's does. Needs root and iproute2 (CI runs as root); without
// them it fails saying so, as roaming-address-change.test.ts does.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { startSshd, type SshdHandle } from '../harness/sshd.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';
import { isolatedClientEnv } from '../harness/ssh-client.js';
import { knownHostsEntry } from '../harness/keys.js';
import { start, type Running } from '../harness/run.js';
import { waitFor, withTimeout } from '../harness/wait-for.js';
import { readEvents } from '../harness/events-file.js';
import { staysshCommandLine } from '../harness/stayssh-cli.js';
import { clientArgs } from '../harness/ssh-client.js';
import { createRoamingTopology, requireNetnsSupport, serveSshdInNamespace, sweepStaleNamespaces, type NamespacedSshd, type RoamingTopology } from '../harness/netns.js';
import { startEchoInNamespace, startProberInNamespace, type NamespacedEcho, type NamespacedProber } from '../harness/netns-tcp.js';

/** The -L port in the client namespace (a fresh namespace: nothing else listens there). */
const LOCAL_PORT = 15432;
/** ms for the first login and the tunnel's first echo on a loaded box. */
const FIRST_ECHO_MS = 30_000;
/** ms the tunnel may take to echo again after a roam: far below the 45 s keepalive verdict. */
const BACK_THROUGH_TUNNEL_MS = 10_000;
/** What a roam must look like in the events file, the same as for a shell. */
const ROAM_EVENTS = ['disconnected', 'reconnecting', 'connected', 'reconnected', 'attached'];

describe('a -N -L tunnel roaming to a new address', () => {
  let topo: RoamingTopology | undefined;
  let sshd: SshdHandle | undefined;
  let served: NamespacedSshd | undefined;
  let tmp: TempDir | undefined;
  let echo: NamespacedEcho | undefined;
  let prober: NamespacedProber | undefined;
  let stayssh: Running | undefined;

  before(async () => {
    await requireNetnsSupport();
    await sweepStaleNamespaces();
    topo = await createRoamingTopology();
    sshd = await startSshd();
    served = await serveSshdInNamespace(sshd, topo);
    tmp = makeTempDir('roam-tunnel');
    echo = await startEchoInNamespace((argv) => topo!.inServer(argv));
    prober = await startProberInNamespace((argv) => topo!.inClient(argv));
  });
  after(async () => {
    stayssh?.kill();
    await stayssh?.exited;
    await prober?.stop();
    await echo?.stop();
    await served?.stop().catch(() => undefined);
    await sshd?.close();
    await topo?.destroy();
    tmp?.close();
  });

  test('the tunnel carries data again after the address changes, without waiting for the 45 s keepalive timeout', async (t) => {
    assert.ok(topo && sshd && served && tmp && echo && prober);
    const knownHosts = tmp.join('known_hosts');
    writeFileSync(knownHosts, `${sshd.hostKeyPubs.map((k) => knownHostsEntry(served!.host, served!.port, k)).join('\n')}\n`);
    const eventsFile = tmp.join('events.jsonl');
    const args = clientArgs(
      { ...sshd, host: served.host, user: sshd.user, clientKeyPath: sshd.clientKeyPath },
      {
        port: served.port,
        knownHostsFile: knownHosts,
        options: { ServerAliveInterval: '15', ServerAliveCountMax: '3' },
        extra: ['-N', '-L', `${LOCAL_PORT}:127.0.0.1:${echo.port}`, '--events', eventsFile],
      },
    );
    const [cmd = 'ip', ...rest] = topo.inClient(staysshCommandLine(args));
    stayssh = start(cmd, rest, { env: isolatedClientEnv(tmp.path) });
    const proc = stayssh;
    const names = () => readEvents(eventsFile).map((e) => e.event);
    const diagnostics = () => `events: ${names().join(' ')}\nstayssh stderr:\n${proc.stderr()}\n--- sshd log tail:\n${sshd!.logText().slice(-2000)}`;

    const first = await prober.echo(LOCAL_PORT, 'before the roam', { timeoutMs: FIRST_ECHO_MS, retry: true });
    assert.ok(first.ok, `the tunnel never carried data: ${first.ok ? '' : first.error}\n${diagnostics()}`);
    await waitFor(() => names().includes('attached'), { what: 'the first attached event', timeoutMs: FIRST_ECHO_MS, detail: diagnostics });

    // Two roams in a row: 198.18.1.2 -> 198.18.2.2 -> 198.18.3.2.
    for (let roam = 1; roam <= 2; roam++) {
      const seenBefore = names().length;
      const { from, to } = await topo.moveClient();
      const movedAt = Date.now();
      // One connection, opened at once: before stayssh has noticed the move, so it may be
      // put on the dead link; it must still be carried once the new link is up.
      const message = `after roam ${roam}`;
      const answer = await prober.echo(LOCAL_PORT, message, { timeoutMs: BACK_THROUGH_TUNNEL_MS });
      assert.ok(
        answer.ok,
        `roam ${roam} (${from} -> ${to}): a connection through -L ${LOCAL_PORT} got no echo within ${BACK_THROUGH_TUNNEL_MS} ms: ${answer.ok ? '' : answer.error}\n${diagnostics()}`,
      );
      t.diagnostic(`roam ${roam} ${from} -> ${to}: tunnel echoed ${answer.atMs - movedAt} ms after the address change`);
      assert.match(sshd.logText(), new RegExp(`Accepted publickey for ${sshd.user} from ${to.replace(/\./g, '\\.')} `), 'a new connection came from the new address');

      // The events file is written as they happen: wait for this roam's attached.
      const roamEvents = await waitFor(
        () => {
          const all = readEvents(eventsFile).slice(seenBefore);
          return all.some((e) => e.event === 'attached') ? all : false;
        },
        { what: `the attached event of roam ${roam}`, timeoutMs: BACK_THROUGH_TUNNEL_MS, detail: diagnostics },
      );
      assert.deepEqual(roamEvents.map((e) => e.event), ROAM_EVENTS, `roam ${roam}: the events of a roam\n${diagnostics()}`);
      const lost = roamEvents[0];
      assert.doesNotMatch(lost?.reason ?? '', /no reply/, `roam ${roam}: noticed by the network watcher, not by keepalive silence`);
      const back = roamEvents.find((e) => e.event === 'reconnected');
      assert.ok(back?.downtimeMs !== undefined && back.downtimeMs < BACK_THROUGH_TUNNEL_MS, `roam ${roam}: downtime ${back?.downtimeMs} ms`);
    }

    // Like ssh -N: killed politely, it ends.
    proc.kill('SIGTERM');
    await withTimeout(proc.exited, FIRST_ECHO_MS, 'stayssh -N to end on SIGTERM');
  });
});
