// The world of the shim integration tests (shim-*.test.ts, session-kinds.test.ts): a
// server side without sshd, where exec lines run through `/bin/sh -c` as sshd would run
// them. Its self-test is test/integration/shim-harness.test.ts.
//
// Everything is private to a temp root: HOME, XDG_STATE_HOME, TMUX_TMPDIR, SCREENDIR, so
// neither the user's tmux/screen nor their state dir is touched. The "terminal" of an
// attach is a window of a separate tmux server (`tmux -S ROOT/drv`): we type with
// send-keys, read the screen with capture-pane, and get the raw bytes the shim wrote
// (reports included) through pipe-pane.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReportFilter, parseReportOutput } from '../../src/remote/report-filter.js';
import type { ShimReport } from '../../src/remote/types.js';
import { demand } from './requirements.js';
import { waitFor } from './wait-for.js';

/** How long one exec line may run before spawnSync kills it (ms): generous for CI. */
export const SHIM_EXEC_TIMEOUT_MS = 10_000;

export class ShimWorld {
  readonly root = mkdtempSync(join(tmpdir(), 'stayssh-shim-'));
  readonly home = join(this.root, 'home');
  readonly state = join(this.root, 'state', 'stayssh');
  readonly env: NodeJS.ProcessEnv;
  private windows = 0;

  constructor(extraEnv: NodeJS.ProcessEnv = {}) {
    demand('tmux'); // the driver terminals; the shim's own tmux too, in most tests
    for (const d of ['home', 'state', 'tmux', 'screen', 'out']) mkdirSync(join(this.root, d), { mode: 0o700 });
    chmodSync(join(this.root, 'screen'), 0o700); // screen insists on a private SCREENDIR
    // A quiet, predictable login shell: dash reads ~/.profile when started with -l.
    writeFileSync(join(this.home, '.profile'), 'PS1="$ "\n');
    const base: NodeJS.ProcessEnv = {};
    for (const k of ['PATH', 'USER', 'LOGNAME']) if (process.env[k]) base[k] = process.env[k];
    this.env = {
      ...base,
      HOME: this.home,
      XDG_STATE_HOME: join(this.root, 'state'),
      TMUX_TMPDIR: join(this.root, 'tmux'),
      SCREENDIR: join(this.root, 'screen'),
      SHELL: '/bin/sh',
      LANG: 'C.UTF-8',
      ...extraEnv,
    };
  }

  /** Run an exec line like sshd does (`$SHELL -c LINE`), without a pty. */
  exec(line: string, env: NodeJS.ProcessEnv = this.env): { status: number | null; reports: ShimReport[]; output: string; stderr: string } {
    const r = spawnSync('/bin/sh', ['-c', line], { env, encoding: 'buffer', timeout: SHIM_EXEC_TIMEOUT_MS });
    return { status: r.status, ...parseReportOutput(r.stdout), stderr: r.stderr.toString() };
  }

  drv(...args: string[]): string {
    const r = spawnSync('tmux', ['-S', join(this.root, 'drv'), '-f', '/dev/null', ...args], {
      env: this.env,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`drv tmux ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  /** Open a 100x30 terminal running `line` through `$SHELL -c`, its raw output recorded. */
  terminal(line: string): ShimTerminal {
    const id = `w${this.windows++}`;
    const raw = join(this.root, 'out', `${id}.raw`);
    const lineFile = join(this.root, 'out', `${id}.line`);
    writeFileSync(lineFile, line);
    writeFileSync(raw, '');
    // The pane waits for one Enter so pipe-pane is in place before the first byte.
    const boot = `read _go; exec /bin/sh -c "$(cat '${lineFile}')"`;
    if (this.windows === 1) {
      // A keeper window holds the driver server up while terminals come and go.
      this.drv('new-session', '-d', '-s', 'drv', '-n', 'keep', '-x', '100', '-y', '30', 'cat', ';',
        'set', '-g', 'remain-on-exit', 'on', ';', 'set', '-g', 'status', 'off');
    }
    this.drv('new-window', '-d', '-t', 'drv:', '-n', id, boot);
    this.drv('pipe-pane', '-o', '-t', `drv:${id}`, `cat >> '${raw}'`);
    this.drv('send-keys', '-t', `drv:${id}`, 'Enter');
    return new ShimTerminal(this, `drv:${id}`, raw, randomBytes(16).toString('hex'));
  }

  sessionDir(name: string): string {
    return join(this.state, 'sessions', name);
  }

  hasSessionDir(name: string): boolean {
    return existsSync(this.sessionDir(name));
  }

  /** Kill every tmux/screen server this world started, then remove it. */
  close(): void {
    spawnSync('tmux', ['-L', 'stayssh', 'kill-server'], { env: this.env });
    spawnSync('tmux', ['-S', join(this.root, 'drv'), 'kill-server'], { env: this.env });
    const ls = spawnSync('screen', ['-ls'], { env: this.env, encoding: 'utf8' });
    for (const m of (ls.stdout ?? '').matchAll(/^\s+(\d+\.\S+)/gm)) {
      spawnSync('screen', ['-S', m[1]!, '-X', 'quit'], { env: this.env });
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** A driver-tmux window running one exec line: what a user's terminal is to the shim. */
export class ShimTerminal {
  constructor(
    private readonly world: ShimWorld,
    readonly target: string,
    private readonly rawFile: string,
    /** The nonce typed with the go-ahead, as the client sends it: reports after the first carry it. */
    readonly nonce: string,
  ) {}

  /** The reports found so far in what the shim wrote, and the rest of the output. */
  read(): { reports: ShimReport[]; output: string } {
    const f = new ReportFilter(this.nonce);
    const r = f.push(readFileSync(this.rawFile));
    return { reports: r.reports, output: Buffer.concat([r.output, f.flush()]).toString('utf8') };
  }

  /**
   * Waits for the index-th report of kind t. Like the real client, answers the first
   * `attached` report with the newline the shim waits for (see acknowledge()).
   */
  async report<T extends ShimReport['t']>(t: T, index = 0): Promise<Extract<ShimReport, { t: T }>> {
    const seen = () => `\nreports: ${JSON.stringify(this.read().reports)}\nscreen:\n${this.screen()}`;
    const r = await this.waitReport(t, index).catch((e: Error) => {
      throw new Error(e.message + seen());
    });
    if (t === 'attached' && !this.acknowledged) this.acknowledge();
    return r;
  }

  /** Waits for a report without answering it. */
  async waitReport<T extends ShimReport['t']>(t: T, index = 0): Promise<Extract<ShimReport, { t: T }>> {
    // An error report ends the wait at once (waitFor would take a throw for "not yet").
    const found = await waitFor(
      () => {
        const all = this.read().reports.filter((r) => r.t === t || r.t === 'error');
        return all.find((r) => r.t === 'error') ?? all[index];
      },
      { what: `report ${t} in ${this.target}` },
    );
    if (found.t === 'error') throw new Error(`shim error: ${JSON.stringify(found)}`);
    return found as Extract<ShimReport, { t: T }>;
  }

  private acknowledged = false;

  /** The client's answer to `attached`: the nonce and the go-ahead (C-j), the terminal being raw by then. */
  acknowledge(): void {
    this.acknowledged = true;
    this.type(this.nonce, 'C-j');
  }

  screen(): string {
    return this.world.drv('capture-pane', '-p', '-t', this.target);
  }

  async see(text: string | RegExp): Promise<string> {
    let last = '';
    return waitFor(
      () => {
        last = this.screen();
        return (typeof text === 'string' ? last.includes(text) : text.test(last)) ? last : undefined;
      },
      { what: `${String(text)} on ${this.target}` },
    ).catch((e: Error) => {
      throw new Error(`${e.message}\nscreen:\n${last}\nraw output (tail): ${JSON.stringify(this.read().output.slice(-600))}`);
    });
  }

  /** Type literal text (`-l`), then optionally named keys. */
  type(text: string, ...keys: string[]): void {
    if (text) this.world.drv('send-keys', '-t', this.target, '-l', text);
    if (keys.length) this.world.drv('send-keys', '-t', this.target, ...keys);
  }

  /** Close the terminal: the pty hangs up on the shim and its attach client, like a dead link. */
  kill(): void {
    this.world.drv('kill-window', '-t', this.target);
  }
}
