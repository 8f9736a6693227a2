// The `ip monitor` feed (src/platform/watchers/ip-monitor.ts) never outlives stayssh:
// stopped, it ends; and when the process that started it is killed outright (SIGKILL,
// which runs no cleanup), it ends too, instead of idling until the next network change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { demand } from '../harness/requirements.js';
import { waitFor } from '../harness/wait-for.js';

const FEED_MODULE = fileURLToPath(new URL('../../src/platform/watchers/ip-monitor.js', import.meta.url));

/** pids of `ip ... monitor` processes whose environment holds `tag`. */
function feeds(tag: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (!/(^|\/)ip$/.test(cmd[0] ?? '') || !cmd.includes('monitor')) continue;
      if (readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(`FEED_TAG=${tag}`)) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** A node process that starts the feed, then (after `stop` ms of nothing) does what `how` says. */
function host(tag: string, how: 'stop' | 'sigkill'): ReturnType<typeof spawn> {
  const script = `
    const { ipMonitorFeed } = await import(${JSON.stringify(FEED_MODULE)});
    const stop = ipMonitorFeed(() => undefined);
    process.stdout.write('started\\n');
    process.stdin.once('data', () => ${how === 'stop' ? 'stop()' : "process.kill(process.pid, 'SIGKILL')"});
    process.stdin.resume();`;
  return spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, FEED_TAG: tag }, stdio: ['pipe', 'pipe', 'inherit'] });
}

for (const how of ['stop', 'sigkill'] as const) {
  test(`the feed ends when ${how === 'stop' ? 'stopped' : 'its process is SIGKILLed'}`, async () => {
    demand('ip');
    const tag = `${how}-${process.pid}-${Date.now()}`;
    const child = host(tag, how);
    try {
      await waitFor(() => feeds(tag).length === 1, { what: 'the ip monitor feed to run' });
      child.stdin?.write('go\n');
      await waitFor(() => feeds(tag).length === 0, { what: `no ip monitor left after ${how}`, detail: () => String(feeds(tag)) });
      assert.deepEqual(feeds(tag), []);
    } finally {
      child.kill('SIGKILL');
      for (const pid of feeds(tag)) process.kill(pid, 'SIGKILL');
    }
  });
}
