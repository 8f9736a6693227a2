// A free TCP port on 127.0.0.1 for servers that cannot listen on port 0 themselves
// (sshd takes a number). The kernel picks it; we release it and hand the number on, so
// there is a small window where another process could take it: callers that can detect
// "address in use" retry with a fresh port (see sshd.ts).
import { createServer } from 'node:net';

export const LOOPBACK = '127.0.0.1';

export function freePort(host: string = LOOPBACK): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('freePort: listening socket has no TCP address'));
        return;
      }
      const { port } = address;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}
