// Stream mode against a real sshd behind a fault proxy: the link is reset or black-holed at
// moments defined by byte counts, and every byte of stdout, stderr and stdin still arrives
// exactly once, the exit status is carried, and the server keeps no session directory.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { ResolvedSshConfig } from '../../src/config/types.js';
import { retrySettings } from '../../src/core/policy.js';
import { killStream, streamListEntries } from '../../src/stream/stream-manage.js';
import { runStream, type StreamEvent } from '../../src/stream/stream-session.js';
import { makeConnector } from '../../src/transport/connector.js';
import { SecretCache } from '../../src/transport/prompter.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { demand } from '../harness/requirements.js';
import { startSshd, type SshdHandle } from '../harness/sshd.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';
import { waitFor, withTimeout } from '../harness/wait-for.js';

/** Deadline for one stream run in these tests, ms: they take 1–5 s on an idle machine. */
const RUN_TIMEOUT_MS = 30_000;

/** A local sink that counts bytes and fires hooks when the count crosses thresholds. */
class Sink extends Writable {
  readonly chunks: Buffer[] = [];
  bytes = 0;
  constructor(private readonly hooks: Array<[number, () => void]> = []) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    for (const h of this.hooks.splice(0)) {
      if (this.bytes >= h[0]) h[1]();
      else this.hooks.push(h);
    }
    cb();
  }
  data(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** stdin from a buffer, 64 KiB per read, with hooks at consumed-byte thresholds. */
/** `data` as a stream, running each hook once that many bytes are read; from `after` on, if given. */
function source(data: Buffer, hooks: Array<[number, () => void]> = [], after: Promise<void> = Promise.resolve()): Readable {
  let at = 0;
  const pushNext = (r: Readable) => {
    const next = data.subarray(at, at + 65536);
    at += next.length;
    for (const h of hooks.splice(0)) {
      if (at >= h[0]) h[1]();
      else hooks.push(h);
    }
    r.push(next.length ? next : null);
  };
  return new Readable({
    read() {
      void after.then(() => pushNext(this));
    },
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('stream mode over a faulty link', () => {
  let sshd: SshdHandle;
  let proxy: FaultProxy;
  let tmp: TempDir;
  let seq = 0;

  before(async () => {
    tmp = makeTempDir('test-stream');
    sshd = await startSshd();
    proxy = await startFaultProxy({ port: sshd.port });
    writeFileSync(tmp.join('known_hosts'), `${sshd.knownHostsLine('127.0.0.1', proxy.port)}\n`);
  });
  after(async () => {
    await proxy?.close();
    await sshd?.close();
    tmp?.close();
  });

  function config(): ResolvedSshConfig {
    return {
      originalHost: '127.0.0.1', hostName: '127.0.0.1', user: sshd.user, port: proxy.port,
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

  interface StreamTestOptions {
    stdin?: Readable; stdout?: Writable & { data?: () => Buffer }; stderr?: Sink; livenessMs?: number; events?: StreamEvent[];
    onInterrupt?: (h: () => void) => () => void; onTerminate?: (h: () => void) => () => void; name?: string;
    onEvent?: (e: StreamEvent) => void;
  }

  async function stream(command: string, o: StreamTestOptions = {}) {
    const warnings: string[] = [];
    const connector = makeConnector(config(), { prompter: undefined, secrets: new SecretCache(), env: {}, warn: (t) => warnings.push(t) });
    const stdout = (o.stdout ?? new Sink()) as Sink;
    const name = o.name ?? `t${process.pid}-${++seq}`;
    const stderr = o.stderr ?? new Sink();
    const events = o.events ?? [];
    const code = await withTimeout(
      runStream({
        connector, name, command, env: {}, onInterrupt: o.onInterrupt, onTerminate: o.onTerminate, resumeCommand: `resume ${name}`,
        stdin: o.stdin ?? Readable.from([]), stdout, stderr,
        liveness: { intervalMs: o.livenessMs ?? 5_000, countMax: 2 },
        retry: retrySettings({ backoffMaxMs: 200, maxAttempts: 20 }),
        firstLoginWindowMs: 15_000, debug: process.env['STAYSSH_TEST_DEBUG'] ? (l: string) => console.error('DBG', l) : undefined,
        onEvent: (e) => (events.push(e), o.onEvent?.(e), process.env['STAYSSH_TEST_DEBUG'] && console.error('EV', JSON.stringify(e))), warn: (t) => warnings.push(t),
      }),
      RUN_TIMEOUT_MS, `stream command ${command}`,
    );
    return { code, stdout, stderr, events, warnings, name, connector };
  }

  /** Disk use (KiB) and size (bytes) of a spool file on the server; `text` as printed. */
  async function spoolUsage(path: string): Promise<{ usedKiB?: number; size?: number; text: string }> {
    const r = await sshd.runAsUser(`f="$HOME/.local/state/stayssh/sessions/${path}"; [ -f "$f" ] && echo "$(du -k "$f" | cut -f1) $(wc -c <"$f")"; true`);
    const text = r.stdout.trim();
    const [usedKiB, size] = text.split(/\s+/).map(Number);
    return { usedKiB, size, text };
  }

  async function sessionDirs(): Promise<string> {
    const r = await sshd.runAsUser('ls -A "$HOME/.local/state/stayssh/sessions" 2>/dev/null; true');
    return r.stdout.trim();
  }

  it('delivers 20,000 stdout and 5,000 stderr lines exactly once across 3 resets, with the exit status', async () => {
    const cmd = 'i=1; while [ $i -le 20000 ]; do echo "out line $i"; if [ $(( i % 4 )) = 0 ]; then echo "err line $(( i / 4 ))" >&2; fi; i=$(( i + 1 )); done; exit 3';
    const stdout = new Sink([[40_000, () => proxy.reset()], [120_000, () => proxy.reset()], [200_000, () => proxy.reset()]]);
    const r = await stream(cmd, { stdout });
    const lines = (n: number, what: string) => Array.from({ length: n }, (_, i) => `${what} line ${i + 1}\n`).join('');
    assert.equal(r.code, 3, r.warnings.join('\n'));
    assert.ok(r.stdout.data().equals(Buffer.from(lines(20_000, 'out'))), 'stdout differs');
    assert.ok(r.stderr.data().equals(Buffer.from(lines(5_000, 'err'))), 'stderr differs');
    // A reset can land while the previous re-dial is still under way (bytes already in the
    // socket buffer reach the next threshold first): at least two must cut a live link.
    assert.ok(r.events.filter((e) => e.event === 'reconnected').length >= 2);
    await waitFor(async () => (await sessionDirs()) === '', { what: 'the finished session to be removed' });
  });

  it('with no command, the login shell reads its commands from stdin (ssh -T host), across a reset', async () => {
    // The shell reads its script from the spooled stdin; `read` takes the line after it, as
    // under sshd, so the command and the shell share one stdin.
    const script = 'i=1; while [ $i -le 20000 ]; do echo "line $i"; i=$(( i + 1 )); done\nread x; echo "read: $x"\nthis line is data\nexit 4\n';
    const stdout = new Sink([[40_000, () => proxy.reset()]]);
    const r = await stream('', { stdin: Readable.from([Buffer.from(script)]), stdout });
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i + 1}\n`).join('');
    assert.equal(r.code, 4, r.warnings.join('\n'));
    assert.equal(r.stdout.data().toString(), `${lines}read: this line is data\n`);
    assert.ok(r.events.some((e) => e.event === 'reconnected'), 'the reset did not cut the link');
  });

  it('frees acknowledged output on the server: endless output does not fill its disk', async () => {
    const total = 200_000_000;
    const name = `t${process.pid}-out`;
    // Holds the local side at 190 MB until the server shows that the acknowledged part of
    // the stdout spool no longer takes disk blocks (holes punched), then lets it finish.
    // Acknowledged every 32 MiB: at least 190 MB - 32 MiB of the 200 MB is freed by then.
    let freed = '';
    const stdout = new (class extends Sink {
      private checked = false;
      override _write(chunk: Buffer, enc: BufferEncoding, cb: () => void): void {
        if (this.checked || this.bytes + chunk.length < 190_000_000) return super._write(chunk, enc, cb);
        this.checked = true;
        waitFor(
          async () => {
            const { usedKiB, size, text } = await spoolUsage(`${name}/out`);
            freed = text;
            return usedKiB !== undefined && size !== undefined && size >= total && usedKiB * 1024 < size - 150_000_000;
          },
          { what: 'acknowledged spool blocks to be freed', timeoutMs: 20_000, detail: () => `du KiB / size: ${freed}` },
        ).then(() => super._write(chunk, enc, cb), (err: Error) => this.destroy(err));
      }
    })();
    const r = await stream(`head -c ${total} /dev/zero`, { name, stdout });
    assert.equal(r.code, 0, r.warnings.join('\n'));
    assert.equal(stdout.bytes, total);
    assert.match(freed, /^\d+ \d+$/);
  });

  it('uploads 5 MB of random stdin exactly once across resets during the upload', async () => {
    const data = randomBytes(5 * 1024 * 1024);
    // stdin is read only once the command runs: the resets cut the upload, not the login.
    let running!: () => void;
    const attached = new Promise<void>((resolve) => (running = resolve));
    const stdin = source(data, [[1_000_000, () => proxy.reset()], [2_500_000, () => proxy.reset()], [4_000_000, () => proxy.reset()]], attached);
    const events: StreamEvent[] = [];
    const r = await stream('sha256sum', { stdin, events, onEvent: (e) => e.event === 'attached' && running() });
    assert.equal(r.code, 0, r.warnings.join('\n') + r.stderr.data().toString());
    assert.equal(r.stdout.data().toString(), `${sha(data)}  -\n`);
    assert.ok(r.events.filter((e) => e.event === 'reconnected').length >= 1);
  });

  it('frees the stdin the command has read on the server: a long upload does not fill its disk', async () => {
    const total = 120_000_000;
    const first = 100_000_000;
    const name = `t${process.pid}-spool`;
    const go = `stayssh-go-${process.pid}`;
    // The command reads 100 MB, then waits for a go-ahead file before counting the rest:
    // meanwhile the test looks at the stdin spool, which holds all 120 MB, and asks that
    // what the command read no longer takes disk blocks (holes punched every 32 MiB).
    const command = `head -c ${first} >/dev/null; while [ ! -f "$HOME/${go}" ]; do sleep 0.05; done; rm -f "$HOME/${go}"; wc -c`;
    const running = stream(command, { name, stdin: source(Buffer.alloc(total)) });
    let seen = '';
    await waitFor(
      async () => {
        const { usedKiB, size, text } = await spoolUsage(`${name}/in`);
        seen = text;
        return usedKiB !== undefined && size !== undefined && size >= first && usedKiB * 1024 < size - 60_000_000;
      },
      { what: 'the read part of the stdin spool to be freed', timeoutMs: 60_000, detail: () => `du KiB / size: ${seen}` },
    );
    await sshd.runAsUser(`touch "$HOME/${go}"`);
    const r = await running;
    assert.equal(r.code, 0, r.warnings.join('\n') + r.stderr.data().toString());
    assert.equal(r.stdout.data().toString().trim(), String(total - first));
  });

  it('leaves no stdin reader behind on the server when the command ends before stdin does', async () => {
    const name = `t${process.pid}-early`;
    // Three bytes, and local stdin stays open: the server's reader of the stdin spool is
    // idle when the command ends, so nothing but the session's own cleanup can end it.
    const stdin = new Readable({ read: () => undefined });
    stdin.push(Buffer.from('abc'));
    const r = await stream('head -c 3 >/dev/null; echo read', { name, stdin });
    assert.equal(r.code, 0, r.warnings.join('\n'));
    assert.equal(r.stdout.data().toString(), 'read\n');
    // Whatever follows the stdin spool names it in its arguments. ([/]: the shell running
    // pgrep has the pattern in its own arguments, and must not match it.) Exit 1 is
    // pgrep's "no process matched"; a missing pgrep (127) must not pass for it.
    demand('pgrep');
    await waitFor(async () => (await sshd.runAsUser(`pgrep -f 'sessions/${name}[/]'`)).code === 1, {
      what: `no process left reading session ${name}'s spool`,
    });
  });

  it('carries binary output of all 256 byte values', async () => {
    const stdout = new Sink([[700_000, () => proxy.reset()]]);
    const r = await stream('head -c 2000000 /dev/urandom | tee "$HOME/bin.out"', { stdout });
    assert.equal(r.code, 0, r.warnings.join('\n'));
    const remote = await sshd.runAsUser('sha256sum <"$HOME/bin.out"; rm -f "$HOME/bin.out"');
    assert.equal(r.stdout.bytes, 2_000_000);
    assert.equal(`${sha(r.stdout.data())}  -\n`, remote.stdout);
    assert.ok(r.events.some((e) => e.event === 'reconnected'));
  });

  it('keeps the command running through a black hole and resumes its output after', async () => {
    const events: StreamEvent[] = [];
    let holed = false;
    const stdout = new Sink([[6, () => { proxy.blackhole(); holed = true; }]]);
    const running = stream('echo start; sleep 4; echo end; exit 7', { stdout, events, livenessMs: 500 });
    await waitFor(() => holed && events.some((e) => e.event === 'disconnected'), { what: 'the link to be declared dead' });
    await proxy.restore();
    const r = await running;
    assert.equal(r.code, 7, r.warnings.join('\n'));
    assert.equal(r.stdout.data().toString(), 'start\nend\n');
    assert.ok(events.some((e) => e.event === 'reconnected'));
  });

  it('exits 255 when the remote command dies by a signal', async () => {
    const r = await stream('echo before; kill -TERM $$; echo after');
    assert.equal(r.code, 255);
    assert.equal(r.stdout.data().toString(), 'before\n');
  });

  it('leaves no session directory on the server', async () => {
    // The removal (`fin`) runs on the server while the client exits: wait for it.
    await stream('true');
    await waitFor(async () => (await sessionDirs()) === '', { what: 'the finished session to be removed' });
  });

  it('exits 255 and stops the remote command when local stdout breaks (| head), like ssh', async () => {
    const broken = new Writable({
      write(_chunk, _enc, cb) {
        cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const r = await stream('yes', { stdout: broken });
    assert.equal(r.code, 255);
    await waitFor(async () => (await sessionDirs()) === '', { what: 'the abandoned session to be removed' });
  });

  it('relays Ctrl-C to the remote command and returns its exit status', async () => {
    let interrupt: () => void = () => undefined;
    const stdout = new Sink([[6, () => interrupt()]]);
    const cmd = "trap 'echo got-int; exit 5' INT; echo ready; while :; do sleep 0.1; done";
    const r = await stream(cmd, { stdout, onInterrupt: (h) => ((interrupt = h), () => undefined) });
    assert.equal(r.code, 5, r.warnings.join('\n'));
    assert.equal(r.stdout.data().toString(), 'ready\ngot-int\n');
  });

  it('leaves on a double Ctrl-C; the session is listed detached and can be killed', async () => {
    let interrupt: () => void = () => undefined;
    const stdout = new Sink([[6, () => (interrupt(), interrupt())]]);
    const r = await stream("trap '' INT; echo ready; sleep 30", { stdout, onInterrupt: (h) => ((interrupt = h), () => undefined) });
    assert.equal(r.code, 255);
    const conn = await r.connector.dial(true);
    try {
      const entries = await streamListEntries(conn);
      const mine = await waitFor(() => streamListEntries(conn).then((l) => l.find((e) => e.name === r.name && e.state === 'detached')), { what: 'the session listed as detached' });
      assert.equal(mine.command, "trap '' INT; echo ready; sleep 30", JSON.stringify(entries));
      assert.equal(await killStream(conn, r.name), true);
      await waitFor(async () => (await sessionDirs()) === '', { what: 'the killed session to be removed' });
      assert.equal(await killStream(conn, r.name), false);
    } finally {
      conn.end();
    }
  });

  it('a client that left (SIGTERM) is followed by one joining by name: output and stdin go on from there', async () => {
    const name = `join${process.pid}`;
    const cmd = 'i=0; while read l; do i=$(( i + 1 )); echo "$i:$l"; [ "$l" = end ] && exit 5; done';
    // The first client feeds two lines and keeps stdin open; SIGTERM once both are echoed.
    let terminate: () => void = () => undefined;
    const openStdin = new Readable({ read: () => undefined });
    openStdin.push(Buffer.from('one\ntwo\n'));
    const first = await stream(cmd, {
      name,
      stdin: openStdin,
      stdout: new Sink([[12, () => terminate()]]),
      onTerminate: (h) => ((terminate = h), () => undefined),
    });
    assert.equal(first.code, 255);
    assert.equal(first.stdout.data().toString(), '1:one\n2:two\n');
    assert.ok(first.warnings.some((w) => w.includes(`left stream session ${name}`) && w.includes(`resume with: resume ${name}`)), first.warnings.join('\n'));
    // The second has stdin of its own, which goes after the first one's; its output starts
    // where the first one's stopped (acknowledged on leaving), not from the beginning.
    const second = await stream(cmd, { name, stdin: Readable.from([Buffer.from('three\nend\n')]) });
    assert.equal(second.code, 5, second.warnings.join('\n'));
    assert.equal(second.stdout.data().toString(), '3:three\n4:end\n');
    await waitFor(async () => (await sessionDirs()) === '', { what: 'the finished session to be removed' });
  });
});
