// docs/BEHAVIOUR.md §3 (roaming) with ProxyJump: the network watcher follows the route to
// the host stayssh actually dials, the first jump host, and never resolves the
// destination's name locally (`ssh -J` never does: a café's resolver must not learn
// internal names). The resolver and the route lookup are injected; the connector and the
// watcher are the ones the CLI and the library use.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { watchNetwork } from '../../src/platform/watchers/index.js';
import { makeConnector, type Connector } from '../../src/transport/connector.js';
import { SecretCache } from '../../src/transport/prompter.js';
import { resolveIn, tempHome, type TempHome } from '../harness/config-home.js';

/** A hang (no route lookup ever) fails the test instead of blocking the run. */
const WATCH_TEST_TIMEOUT_MS = 5_000;

function connectorFor(t: TempHome, host: string, commandLine: Array<[string, string]> = []): Connector {
  return makeConnector(resolveIn(t, host, { commandLine }), {
    prompter: undefined,
    secrets: new SecretCache(),
    env: {},
    warn: () => undefined,
    resolveHop: (hop) => resolveIn(t, hop.host, {
      ...(hop.user !== undefined ? { user: hop.user } : {}),
      ...(hop.port !== undefined ? { port: hop.port } : {}),
    }),
  });
}

/**
 * Starts the watcher as a session does, until its baseline route lookup has run; returns
 * every name handed to the resolver and every address whose route was asked for.
 */
async function watched(connector: Connector): Promise<{ resolved: string[]; routed: string[] }> {
  const resolved: string[] = [];
  const routed: string[] = [];
  let routeAsked!: () => void;
  const asked = new Promise<void>((resolve) => (routeAsked = resolve));
  const stop = watchNetwork(connector, {
    feed: false,
    resolve: async (host) => {
      resolved.push(host);
      return '192.0.2.10';
    },
    routeGet: async (address) => {
      routed.push(address);
      routeAsked();
      return 'dev eth0 src 192.0.2.2 via 192.0.2.1';
    },
  })(() => undefined);
  await asked;
  stop();
  return { resolved, routed };
}

describe('the network watcher watches the host stayssh dials', { timeout: WATCH_TEST_TIMEOUT_MS }, () => {
  const config = [
    'Host target', '  HostName db.internal.example', '  ProxyJump bastion',
    'Host bastion', '  HostName bastion.example.org',
    'Host inner', '  HostName inner.example.org', '  ProxyJump outer',
    'Host outer', '  HostName outer.example.org',
    'Host viaip', '  HostName db.internal.example', '  ProxyJump 198.51.100.7',
    'Host direct', '  HostName direct.example.org',
  ].join('\n');

  it('ProxyJump from ssh_config: the jump host is resolved, the destination never', async () => {
    const t = tempHome();
    t.write('.ssh/config', config);
    const { resolved, routed } = await watched(connectorFor(t, 'target'));
    assert.deepEqual(resolved, ['bastion.example.org']);
    assert.ok(!resolved.includes('db.internal.example'), 'the destination behind -J is not looked up locally');
    assert.deepEqual(routed, ['192.0.2.10']);
  });

  it('-J on the command line: the first hop of the list', async () => {
    const t = tempHome();
    t.write('.ssh/config', config);
    const c = connectorFor(t, 'db.internal.example', [['ProxyJump', 'jump1.example.org,jump2.example.org']]);
    assert.deepEqual((await watched(c)).resolved, ['jump1.example.org']);
  });

  it("the first hop's own ProxyJump comes first: the host dialed is that one", async () => {
    const t = tempHome();
    t.write('.ssh/config', config);
    const c = connectorFor(t, 'db.internal.example', [['ProxyJump', 'inner']]);
    assert.equal(c.dialedHost, 'outer.example.org');
    assert.deepEqual((await watched(c)).resolved, ['outer.example.org']);
  });

  it('a jump host given as an address: nothing is resolved at all', async () => {
    const t = tempHome();
    t.write('.ssh/config', config);
    assert.deepEqual(await watched(connectorFor(t, 'viaip')), { resolved: [], routed: ['198.51.100.7'] });
  });

  it('without ProxyJump the destination itself is watched', async () => {
    const t = tempHome();
    t.write('.ssh/config', config);
    assert.deepEqual((await watched(connectorFor(t, 'direct'))).resolved, ['direct.example.org']);
  });

  it('ProxyCommand is refused before anything is watched or resolved', () => {
    const t = tempHome();
    t.write('.ssh/config', 'Host pc\n  HostName db.internal.example\n  ProxyCommand nc %h %p\n');
    assert.throws(() => connectorFor(t, 'pc'), /ProxyCommand is not supported/);
  });
});
