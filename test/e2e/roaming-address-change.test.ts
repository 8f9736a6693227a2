// Issue 6's "done when": the client roams to a new address inside network namespaces this
// test creates, keepalives are long (15 s × 3 = 45 s to notice a dead link by silence),
// and stayssh is back on screen within a few seconds because it watched the addresses.
// The 10 s wait for the screen to move is itself the proof: silence alone would take 45 s.
// Needs root and iproute2 (CI runs as root): without them it fails saying so under CI, and
// is skipped with that line elsewhere (test/harness/requirements.ts).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { startSshd, type SshdHandle } from '../harness/sshd.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';
import { clientArgs, isolatedClientEnv } from '../harness/ssh-client.js';
import { startTerminal, type Terminal } from '../harness/terminal.js';
import { knownHostsEntry } from '../harness/keys.js';
import { staysshCommandLine } from '../harness/stayssh-cli.js';
import { needs } from '../harness/requirements.js';
import { createRoamingTopology, NETNS_REQUIREMENTS, requireNetnsSupport, serveSshdInNamespace, sweepStaleNamespaces, type NamespacedSshd, type RoamingTopology } from '../harness/netns.js';

/** A shell loop that prints a growing counter every 100 ms: the screen "moving". */
const TICKER = 'i=0; while :; do i=$((i+1)); echo tick-$i; sleep 0.1; done';
/** ms the screen may take to move again after a roam: far below the 45 s keepalive verdict. */
const BACK_ON_SCREEN_MS = 10_000;

function lastTick(screen: string): number {
  const ticks = [...screen.matchAll(/tick-(\d+)/g)].map((m) => Number(m[1]));
  return ticks.length ? Math.max(...ticks) : 0;
}

describe('roaming to a new address', () => {
  let topo: RoamingTopology | undefined;
  let sshd: SshdHandle | undefined;
  let served: NamespacedSshd | undefined;
  let tmp: TempDir | undefined;
  let term: Terminal | undefined;

  after(async () => {
    await term?.close();
    await served?.stop().catch(() => undefined);
    await sshd?.close();
    await topo?.destroy();
    tmp?.close();
  });

  test('stayssh reattaches after the address changes, without waiting for the 45 s keepalive timeout', needs(...NETNS_REQUIREMENTS), async (t) => {
    // Set up here rather than in before(), which would run (and fail) even where the test is skipped.
    await requireNetnsSupport();
    await sweepStaleNamespaces();
    topo = await createRoamingTopology();
    sshd = await startSshd();
    served = await serveSshdInNamespace(sshd, topo);
    tmp = makeTempDir('roam');
    const knownHosts = tmp.join('known_hosts');
    writeFileSync(knownHosts, `${sshd.hostKeyPubs.map((k) => knownHostsEntry(served!.host, served!.port, k)).join('\n')}\n`);
    const args = clientArgs(
      { ...sshd, host: served.host, user: sshd.user, clientKeyPath: sshd.clientKeyPath },
      { port: served.port, knownHostsFile: knownHosts, options: { ServerAliveInterval: '15', ServerAliveCountMax: '3' } },
    );
    const env = isolatedClientEnv(tmp.path) as Record<string, string>;
    term = await startTerminal({ command: topo.inClient(staysshCommandLine(args)), env });
    await term.waitForText(/\$\s*$/m, { timeoutMs: 15_000 });
    await term.type(TICKER);
    await term.press('Enter');
    let seen = lastTick(await term.waitForText('tick-5'));

    // Two roams in a row: 198.18.1.2 -> 198.18.2.2 -> 198.18.3.2.
    for (let roam = 1; roam <= 2; roam++) {
      const started = Date.now();
      const { from, to } = await topo.moveClient();
      const movedAt = seen;
      const want = new RegExp(`tick-(${[1, 2, 3].map((d) => movedAt + 5 + d).join('|')}|[0-9]{${String(movedAt + 9).length + 1},})`);
      // The old link is a black hole now: ticks printed before the roam may still arrive
      // from the socket buffer, so "moving" means well past them, after a reattach.
      const screen = await term.waitForText(want, { timeoutMs: BACK_ON_SCREEN_MS }).catch((err: Error) => {
        throw new Error(`roam ${roam} (${from} -> ${to}): the screen did not move within ${BACK_ON_SCREEN_MS} ms\n${err.message}\n--- sshd log tail:\n${sshd!.logText().slice(-2000)}`);
      });
      t.diagnostic(`roam ${roam} ${from} -> ${to}: screen moving again ${Date.now() - started} ms after the address change`);
      seen = lastTick(screen);
      assert.match(sshd.logText(), new RegExp(`Accepted publickey for ${sshd.user} from ${to.replace(/\./g, '\\.')} `), 'a new connection came from the new address');
    }

    await term.press('C-c');
    await term.type('exit 0');
    await term.press('Enter');
    assert.deepEqual(await term.waitForExit({ timeoutMs: 15_000 }), { code: 0, signal: null });
  });
});
