// TCP ends inside the roaming rig's namespaces (netns.ts), for tunnel tests and benches:
// an echo server on the server side (what `-L` forwards to) and a prober on the client
// side (what connects to the `-L` port). Both run netns-tcp-tool.js under `ip netns exec`.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { trackPid, untrackPid } from '../harness/process-tree.js';
import { waitFor } from '../harness/wait-for.js';

const TOOL = fileURLToPath(new URL('./netns-tcp-tool.js', import.meta.url));
/** ms for a node process under `ip netns exec` to be ready (~100 ms idle, seconds under load). */
const TOOL_READY_MS = 20_000;

/** Wraps an argv so that it runs in a namespace (RoamingTopology.inClient / inServer). */
export type InNamespace = (argv: readonly string[]) => string[];

interface Tool {
  child: ChildProcess;
  lines: string[];
  onLine(fn: (line: string) => void): void;
  stderr(): string;
  stop(): Promise<void>;
}

function startTool(inNs: InNamespace, args: string[]): Tool {
  const [cmd = 'ip', ...rest] = inNs([process.execPath, TOOL, ...args]);
  const child = spawn(cmd, rest, { stdio: ['pipe', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`cannot start ${cmd}`);
  const pid = child.pid;
  trackPid(pid);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  void exited.then(() => untrackPid(pid));
  child.stdin?.on('error', () => undefined);
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (err += c));
  const lines: string[] = [];
  const listeners: ((line: string) => void)[] = [];
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      for (const l of listeners) l(line);
    });
  }
  return {
    child,
    lines,
    onLine: (fn) => listeners.push(fn),
    stderr: () => err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface NamespacedEcho {
  readonly port: number;
  stop(): Promise<void>;
}

/** A TCP echo server on `host` (default 127.0.0.1) inside a namespace, on a free port. */
export async function startEchoInNamespace(inNs: InNamespace, host = '127.0.0.1'): Promise<NamespacedEcho> {
  const tool = startTool(inNs, ['echo', host]);
  try {
    const port = await waitFor(
      () => {
        if (tool.child.exitCode !== null) throw new Error(`the echo server exited: ${tool.stderr()}`);
        const line = tool.lines[0];
        return line === undefined ? false : (JSON.parse(line) as { port: number }).port;
      },
      { what: `an echo server to listen on ${host} in its namespace`, timeoutMs: TOOL_READY_MS, detail: () => tool.stderr() },
    );
    return { port, stop: () => tool.stop() };
  } catch (err) {
    await tool.stop();
    throw err;
  }
}

export type ProbeAnswer = { ok: true; atMs: number; attempts: number } | { ok: false; error: string; attempts: number };

export interface ProbeOptions {
  timeoutMs: number;
  /** Retry a failed connection at once until the deadline (default: one connection only). */
  retry?: boolean;
}

export interface NamespacedProber {
  /**
   * A fresh connection to 127.0.0.1:`port` in the namespace sends `message` and reads it
   * back. Resolves with when the echo was complete (wall clock) or why it failed.
   */
  echo(port: number, message: string, opts: ProbeOptions): Promise<ProbeAnswer>;
  stop(): Promise<void>;
}

/** A long-lived prober inside a namespace: no process start on the measured path. */
export async function startProberInNamespace(inNs: InNamespace): Promise<NamespacedProber> {
  const tool = startTool(inNs, ['probe']);
  let seq = 0;
  const pending = new Map<number, (a: ProbeAnswer) => void>();
  tool.onLine((line) => {
    const a = JSON.parse(line) as ProbeAnswer & { id: number };
    pending.get(a.id)?.(a);
    pending.delete(a.id);
  });
  tool.child.once('close', () => {
    for (const [, resolve] of pending) resolve({ ok: false, error: `the prober exited: ${tool.stderr()}`, attempts: 0 });
    pending.clear();
  });
  const prober: NamespacedProber = {
    echo(port, message, opts) {
      const id = ++seq;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        tool.child.stdin?.write(`${JSON.stringify({ id, port, message, timeoutMs: opts.timeoutMs, retry: opts.retry ?? false })}\n`);
      });
    },
    stop: () => tool.stop(),
  };
  // Ready when it answers: a probe of a port nobody listens on is refused at once.
  const first = await prober.echo(1, 'ready?', { timeoutMs: TOOL_READY_MS });
  if (!first.ok && /prober exited/.test(first.error)) throw new Error(first.error);
  return prober;
}
