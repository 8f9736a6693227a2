/**
 * A push feed of kernel address and route changes without native code: iproute2's
 * `ip -o monitor address route` listens on a netlink socket and prints one line per
 * message (flushed per message). We only need "something changed": every chunk of output
 * is one nudge, and the watcher looks for itself.
 *
 * Measured: the poll alone notices a change 0–500 ms (one tick) after it happened; with
 * this feed, within a few ms. It costs one idle `ip` process and its sh (~1 MB RSS each,
 * no CPU) for the life of the session. Where `ip` is missing (macOS, minimal images) the
 * feed ends at once and the poll carries on alone.
 */
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';

/**
 * `ip` under a small sh that ends it when its stdin closes. stayssh never writes to that
 * pipe: it closes when stop() ends it, and when stayssh dies however it dies (a SIGKILL,
 * a signal whose default action kills), which a child spawned directly would outlive,
 * idle until the next network change made it write into a closed pipe.
 */
const FEED_SCRIPT = 'command -v ip >/dev/null 2>&1 || exit 0; ip -o monitor address route & feed=$!; read -r _; kill "$feed" 2>/dev/null';

export function ipMonitorFeed(onEvent: () => void): () => void {
  let stopped = false;
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn('/bin/sh', ['-c', FEED_SCRIPT], { stdio: ['pipe', 'pipe', 'ignore'] });
  } catch {
    return () => undefined;
  }
  child.stdin?.on('error', () => undefined);
  (child.stdin as Socket | null)?.unref?.();
  child.on('error', () => undefined); // ENOENT: no iproute2 here; the poll covers it.
  // Never keep stayssh alive for the feed's sake: the session's own sockets do that.
  child.unref();
  (child.stdout as Socket | null)?.unref?.();
  child.stdout?.on('data', () => {
    if (!stopped) onEvent();
  });
  child.stdout?.on('error', () => undefined);
  return () => {
    stopped = true;
    child.stdin?.end();
  };
}
