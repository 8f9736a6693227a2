/**
 * The demo's bad network: a TCP relay on 127.0.0.1 that, every few seconds, either resets
 * every link (a Wi-Fi drop, an sshd restart) or black-holes them for a while (a dead
 * access point: nothing arrives, nothing is refused), so `--demo` shows both kinds of
 * outage stayssh handles.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** Time between two cuts, ms: long enough to type a command, short enough to see one soon. */
export const CUT_INTERVAL_MS = 15_000;
/** How long a black hole lasts, ms: longer than the demo's dead-link detection (1 s × 2). */
export const BLACKHOLE_MS = 5_000;

export type CutKind = 'reset' | 'blackhole';

interface Link {
  client: Socket;
  server: Socket;
}

export interface FlakyLink {
  readonly port: number;
  /** Stops the cuts and drops every link before it returns; the promise waits for the listener. */
  close(): Promise<void>;
}

export async function startFlakyLink(targetPort: number, onCut: (kind: CutKind) => void, intervalMs = CUT_INTERVAL_MS): Promise<FlakyLink> {
  const links = new Set<Link>();
  let holding = false;

  const server: Server = createServer((client) => {
    client.setNoDelay(true);
    const upstream = connect({ host: '127.0.0.1', port: targetPort, noDelay: true });
    const link = { client, server: upstream };
    links.add(link);
    const drop = () => {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    // While black-holed, bytes are swallowed in both directions, as on a dead network.
    client.on('data', (d) => holding || upstream.write(d));
    upstream.on('data', (d) => holding || client.write(d));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = address !== null && typeof address !== 'string' ? address.port : 0;

  let next: CutKind = 'reset';
  let restoreTimer: NodeJS.Timeout | undefined;
  const cut = () => {
    onCut(next);
    if (next === 'reset') {
      for (const l of links) l.client.resetAndDestroy();
    } else {
      holding = true;
      restoreTimer = setTimeout(() => {
        // The held links are dead for good, as after a real outage; new ones flow again.
        for (const l of links) l.client.resetAndDestroy();
        holding = false;
      }, BLACKHOLE_MS);
    }
    next = next === 'reset' ? 'blackhole' : 'reset';
  };
  const cutTimer = setInterval(cut, intervalMs);

  return {
    port,
    async close() {
      clearInterval(cutTimer);
      clearTimeout(restoreTimer);
      for (const l of links) {
        l.client.destroy();
        l.server.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
