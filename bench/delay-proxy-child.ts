// Starts bench/delay-proxy.ts as a child `node` process (its own event loop: the bench's,
// busy with screens and clients, must not stretch the delays) and reads the ports it
// listens on. close() ends it; so does the end of its stdin, if this process dies first.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The compiled program, next to this file in dist/bench/. */
const PROGRAM = fileURLToPath(new URL('./delay-proxy.js', import.meta.url));
/** Node start-up plus listen, ms: ~0.1 s idle, seconds on a loaded 2-core box. */
const READY_TIMEOUT_MS = 15_000;
/** Grace after SIGTERM before SIGKILL, ms: it has nothing to flush. */
const STOP_TIMEOUT_MS = 2_000;

export interface DelayProxyOptions {
  /** TCP port to forward to (on 127.0.0.1). */
  upstreamPort: number;
  /** UDP port to forward datagrams to (on 127.0.0.1); no UDP relay without it. */
  udpUpstreamPort?: number;
  /** Delay each way, ms (default 25: a 50 ms round trip). */
  oneWayMs?: number;
}

export interface DelayProxy {
  readonly pid: number;
  /** Point TCP clients here. */
  readonly port: number;
  /** Point UDP clients here (null without udpUpstreamPort). */
  readonly udpPort: number | null;
  readonly oneWayMs: number;
  close(): Promise<void>;
}

export async function startDelayProxy(o: DelayProxyOptions): Promise<DelayProxy> {
  const oneWayMs = o.oneWayMs ?? 25;
  const args = [PROGRAM, '--upstream', String(o.upstreamPort), '--one-way-ms', String(oneWayMs)];
  if (o.udpUpstreamPort !== undefined) args.push('--udp-upstream', String(o.udpUpstreamPort));
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  try {
    const ports = await new Promise<{ tcpPort: number; udpPort: number | null }>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`delay proxy: not listening within ${READY_TIMEOUT_MS} ms\n${stderr}`)), READY_TIMEOUT_MS);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`delay proxy exited during start-up (${code ?? signal})\n${stderr}`));
      });
      child.stdout?.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const nl = out.indexOf('\n');
        if (nl < 0) return;
        clearTimeout(timer);
        try {
          resolve(JSON.parse(out.slice(0, nl)) as { tcpPort: number; udpPort: number | null });
        } catch {
          reject(new Error(`delay proxy: unexpected output ${JSON.stringify(out)}`));
        }
      });
    });
    return {
      pid: child.pid ?? 0,
      port: ports.tcpPort,
      udpPort: ports.udpPort,
      oneWayMs,
      close: () => stop(child),
    };
  } catch (err) {
    await stop(child);
    throw err;
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_TIMEOUT_MS)));
  if ((await Promise.race([exited, late])) === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}
