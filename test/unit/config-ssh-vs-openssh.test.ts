// Cross-check: the same config resolved by us and by OpenSSH's own `ssh -G` (which prints
// the resolved options and exits without connecting). Without ssh (openssh-client) it
// fails saying so, like every test that lacks a tool (test/harness/requirements.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { homedir, hostname, userInfo } from 'node:os';
import { tempHome, resolveIn } from '../harness/config-home.js';
import { demand } from '../harness/requirements.js';
import type { ResolvedSshConfig } from '../../src/config/types.js';

function sshG(configPath: string, args: string[]): Map<string, string[]> {
  demand('ssh');
  const r = spawnSync('ssh', ['-G', '-F', configPath, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = new Map<string, string[]>();
  for (const l of r.stdout.split('\n')) {
    const sp = l.indexOf(' ');
    if (sp < 0) continue;
    const key = l.slice(0, sp);
    out.set(key, [...(out.get(key) ?? []), l.slice(sp + 1)]);
  }
  return out;
}

/** Our result in `ssh -G`'s vocabulary, for the options both print the same way. */
function asSshG(c: ResolvedSshConfig): Record<string, string | undefined> {
  return {
    hostname: c.hostName,
    user: c.user,
    port: String(c.port),
    proxyjump: c.proxyJump,
    serveraliveinterval: String(c.serverAliveInterval),
    serveralivecountmax: String(c.serverAliveCountMax),
    stricthostkeychecking: { yes: 'true', no: 'false', ask: 'ask', 'accept-new': 'accept-new' }[c.strictHostKeyChecking],
    requesttty: { yes: 'true', no: 'false', auto: 'auto', force: 'force' }[c.requestTTY],
    batchmode: c.batchMode ? 'yes' : 'no',
    sendenv: c.sendEnv.join(','),
    setenv: c.setEnv.map(([k, v]) => `${k}=${v}`).join(','),
    localforward: String(c.localForwards.length),
  };
}

describe('resolveSshConfig agrees with ssh -G', () => {
  const t = tempHome();
  const inc = t.write('inc/web.conf', 'User webinc\nServerAliveCountMax 9\n');
  t.write('.ssh/config', [
    'Host db-* !db-old',
    '  HostName %h.internal.example',
    '  User dbadmin',
    '  ProxyJump gw.example',
    'Host web*',
    `  Include ${inc.replace(/web\.conf$/, '*.conf')}`,
    '  Port 8022',
    'Match host *.internal.example !user root',
    '  ServerAliveInterval 2m',
    '  RequestTTY force',
    'Match originalhost db-old',
    '  BatchMode yes',
    'Host *',
    '  StrictHostKeyChecking accept-new',
    '  SendEnv LANG LC_* TERM',
    '  SendEnv -LC_*',
    '  SetEnv A=1 B=2',
    '  SetEnv C=3',
    '  LocalForward 8080 localhost:80',
    '  User everyone',
    '  ServerAliveInterval 30',
  ].join('\n'));
  const local = { homeDir: homedir(), localUser: userInfo().username, localHostName: hostname(), systemConfigPath: null };

  const cases: Array<{ host: string; user?: string; port?: number; o?: Array<[string, string]> }> = [
    { host: 'db-main' },
    { host: 'db-main', user: 'root' },
    { host: 'db-old' },
    { host: 'web1' },
    { host: 'web1', port: 2200, o: [['ServerAliveCountMax', '1'], ['SetEnv', 'Z=9'], ['LocalForward', '9 h:9']] },
    { host: 'other', o: [['User', 'fromo'], ['StrictHostKeyChecking', 'off']], user: 'typed' },
  ];
  for (const c of cases) {
    it(`${c.user ? c.user + '@' : ''}${c.host}${c.port ? ':' + c.port : ''} ${JSON.stringify(c.o ?? [])}`, () => {
      const args = [
        ...(c.o ?? []).map(([k, v]) => ['-o', `${k}=${v}`]).flat(),
        ...(c.port ? ['-p', String(c.port)] : []),
        `${c.user ? c.user + '@' : ''}${c.host}`,
      ];
      const g = sshG(t.userConfig, args);
      const ours = asSshG(resolveIn(t, c.host, { ...local, user: c.user, port: c.port, commandLine: c.o ?? [] }));
      const theirs: Record<string, string | undefined> = {};
      for (const key of Object.keys(ours)) {
        const v = g.get(key);
        theirs[key] = key === 'localforward' ? String(v?.length ?? 0)
          : key === 'sendenv' || key === 'setenv' ? (v ?? []).join(',') : v?.[0];
      }
      assert.deepEqual(ours, theirs);
    });
  }
});
