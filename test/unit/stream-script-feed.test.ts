// The stream script's way from stdin to the command, run locally under dash and bash (no
// sshd: the attach op is a shell command like any other). Where tail is GNU's it follows
// the stdin spool in one process; elsewhere a loop pours it piece by piece. Both must hand
// the command every byte, exactly once, and then EOF.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { attachCommand } from '../../src/stream/stream-commands.js';
import { makeTempDir } from '../harness/temp-dir.js';
import { withTimeout } from '../harness/wait-for.js';

/** One attach op, start to exit, ms: a few hundred ms on an idle machine. */
const RUN_TIMEOUT_MS = 20_000;

const tmp = makeTempDir('test-stream-feed');
after(() => tmp.close());

// A tail without --pid, as BusyBox's: the script must fall back to its pouring loop.
const plainTailDir = tmp.join('plain-tail');
mkdirSync(plainTailDir);
writeFileSync(`${plainTailDir}/tail`, '#!/bin/sh\ncase "$*" in *--pid*) echo "tail: unrecognized option" >&2; exit 1;; esac\nexec /usr/bin/tail "$@"\n');
chmodSync(`${plainTailDir}/tail`, 0o755);

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let seq = 0;
/**
 * One attach op, creating the session, to its exit. Its stdin stays open as a channel's
 * does: the script takes the end of its stdin pump for a dead link, not for stdin's EOF,
 * which is the offset given here.
 */
async function attach(shell: string, path: string, input: Buffer, command: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const name = `feed${++seq}`;
  const line = attachCommand({ name, from: { outOffset: 0, errOffset: 0 }, eofAt: input.length, create: true, command });
  const env = { PATH: path, HOME: tmp.path, SHELL: `/bin/${shell}` };
  const child = spawn(shell, ['-c', line], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => err.push(d));
  child.stdin.write(input);
  const status = await withTimeout(new Promise<number | null>((resolve) => child.on('close', resolve)), RUN_TIMEOUT_MS, `attach ${name}`);
  child.stdin.destroy();
  return { status, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

for (const shell of ['dash', 'bash']) {
  for (const [tail, path] of [
    ['GNU tail', process.env.PATH ?? '/usr/bin:/bin'],
    ['a tail without --pid', `${plainTailDir}:${process.env.PATH ?? '/usr/bin:/bin'}`],
  ] as const) {
    describe(`stream stdin under ${shell}, with ${tail}`, () => {
      it('hands the command every byte of stdin once, then EOF', async () => {
        const input = randomBytes(3 * 1024 * 1024 + 7);
        const r = await attach(shell, path, input, 'sha256sum');
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, `${sha(input)}  -\n`);
      });

      it('gives a command EOF when stdin is empty', async () => {
        const r = await attach(shell, path, Buffer.alloc(0), 'wc -c');
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout.trim(), '0');
      });
    });
  }
}
