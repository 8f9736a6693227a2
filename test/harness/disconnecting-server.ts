// A hostile SSH server in a few lines: it answers the version exchange, then sends one
// SSH_MSG_DISCONNECT whose description is whatever the test chooses (control bytes
// too). Before the key exchange packets are plain, so no crypto is needed; RFC 4253
// §11.1 lets a DISCONNECT come at any time.
import { createServer, type Server, type Socket } from 'node:net';

/** SSH_MSG_DISCONNECT (RFC 4253 §12) and a reason code ssh2 reports as an error. */
const MSG_DISCONNECT = 1;
const REASON_HOST_NOT_ALLOWED_TO_CONNECT = 1;
/** Block size of an unencrypted packet, bytes (RFC 4253 §6: at least 8). */
const BLOCK = 8;
/** Smallest padding RFC 4253 §6 allows, bytes. */
const MIN_PADDING = 4;

function sshString(text: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(text.length);
  return Buffer.concat([len, text]);
}

/** One plain binary packet holding a DISCONNECT with `description`. */
export function disconnectPacket(description: Buffer): Buffer {
  const reason = Buffer.alloc(4);
  reason.writeUInt32BE(REASON_HOST_NOT_ALLOWED_TO_CONNECT);
  const payload = Buffer.concat([Buffer.from([MSG_DISCONNECT]), reason, sshString(description), sshString(Buffer.alloc(0))]);
  let padding = BLOCK - ((4 + 1 + payload.length) % BLOCK);
  if (padding < MIN_PADDING) padding += BLOCK;
  const head = Buffer.alloc(5);
  head.writeUInt32BE(1 + payload.length + padding);
  head[4] = padding;
  return Buffer.concat([head, payload, Buffer.alloc(padding)]);
}

export interface DisconnectingServer {
  port: number;
  close(): Promise<void>;
}

export async function startDisconnectingServer(description: Buffer): Promise<DisconnectingServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    sock.write('SSH-2.0-Hostile_1.0\r\n');
    // After the client's version line: the DISCONNECT, then the end.
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (!seen.includes('\n')) return;
      sock.off('data', onData);
      sock.end(disconnectPacket(description));
    };
    sock.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
