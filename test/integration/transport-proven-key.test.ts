// A re-dial signs at once with the key the server accepted on the run's first link
// (src/transport/proven-key.ts), against the real sshd: the first login asks whether the
// key would do (ssh2's query, as OpenSSH does), the second sends the signature straight
// away, one round trip less, and is let in.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { ResolvedSshConfig } from '../../src/config/types.js';
import { makeConnector } from '../../src/transport/connector.js';
import { SecretCache } from '../../src/transport/prompter.js';
import { startSshd, type SshdHandle } from '../harness/sshd.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';

let sshd: SshdHandle;
let tmp: TempDir;
before(async () => {
  sshd = await startSshd();
  tmp = makeTempDir('proven-key');
  writeFileSync(tmp.join('known_hosts'), `${sshd.knownHostsLine('127.0.0.1', sshd.port)}\n`);
});
after(async () => {
  await sshd?.close();
  tmp?.close();
});

function config(): ResolvedSshConfig {
  return {
    originalHost: '127.0.0.1', hostName: '127.0.0.1', user: sshd.user, port: sshd.port,
    identityFiles: [sshd.clientKeyPath], identityFilesExplicit: true, identitiesOnly: true, identityAgent: 'none',
    proxyJump: undefined, userKnownHostsFiles: [tmp.join('known_hosts')], globalKnownHostsFiles: [],
    strictHostKeyChecking: 'yes', hashKnownHosts: false, serverAliveInterval: 0, serverAliveIntervalSet: false,
    serverAliveCountMax: 0, serverAliveCountMaxSet: false, connectTimeout: 5, batchMode: true,
    passwordAuthentication: false, pubkeyAuthentication: true, kbdInteractiveAuthentication: false,
    preferredAuthentications: ['publickey'], forwardAgent: false, localForwards: [], remoteForwards: [],
    dynamicForwards: [], exitOnForwardFailure: false, requestTTY: 'no', sendEnv: [], setEnv: [], escapeChar: 'none',
    logLevel: 'ERROR', addressFamily: 'inet', ignoredKeywords: [],
  };
}

test('the first link asks whether the key would do; a re-dial signs with it at once and gets in', async () => {
  let trace: string[] = [];
  const connector = makeConnector(config(), { prompter: undefined, secrets: new SecretCache(), env: {}, warn: () => undefined, debug: (l) => trace.push(l) });
  const auth = () => trace.filter((l) => /Sending USERAUTH_REQUEST|Received USERAUTH_(PK_OK|SUCCESS|FAILURE)/.test(l)).map((l) => l.replace(/^.*?(Sending|Received) /, ''));

  const first = await connector.dial(true);
  first.end();
  assert.deepEqual(auth(), ['USERAUTH_REQUEST (publickey -- check)', 'USERAUTH_PK_OK', 'USERAUTH_REQUEST (publickey)', 'USERAUTH_SUCCESS'], trace.join('\n'));

  trace = [];
  const again = await connector.dial(false);
  again.end();
  assert.deepEqual(auth(), ['USERAUTH_REQUEST (publickey)', 'USERAUTH_SUCCESS'], trace.join('\n'));
});
