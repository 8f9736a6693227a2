/**
 * Joins a local TCP socket and an SSH channel, both ways, and makes sure that however one
 * side ends, the other is closed too and nothing is left half-open or leaking.
 *
 * ssh2 quirk: when the link dies, an open channel only sees its readable side end (as if
 * the far end sent EOF); no 'error', and no 'close' unless our side ends its writable too.
 * So a channel 'end' is treated as "the far side is done" (the socket gets our FIN after
 * its pending bytes), and the manager cuts every relay of a dead link explicitly.
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** An ssh2 channel, as far as a relay needs it. */
export type RelayChannel = Duplex & { close?(): void };

export interface Relay {
  /** Closes both ends now. Idempotent. */
  cut(): void;
}

/**
 * Pipes `sock` <-> `channel` with half-close passed through (a client that shuts down
 * its sending side still gets the answer). `onDone` runs once, when both ends are gone.
 * `sock` must come from a server with allowHalfOpen, or half-close is lost.
 */
export function relay(sock: Socket, channel: RelayChannel, onDone: () => void): Relay {
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    onDone();
  };
  const closeChannel = () => {
    try {
      channel.close?.();
    } catch {
      // The link is gone: there is nobody to tell.
    }
    channel.destroy();
  };
  const cut = () => {
    closeChannel();
    sock.destroy();
    finish();
  };
  sock.on('error', cut); // ECONNRESET from the local peer: drop the channel too.
  channel.on('error', cut);
  sock.on('close', () => {
    closeChannel();
    finish();
  });
  // The far side is done writing: pass the EOF on; once our client is done too, the
  // socket closes (allowHalfOpen) and 'close' above closes the channel.
  channel.on('end', () => {
    if (!sock.writableEnded) sock.end();
    if (sock.readableEnded) sock.destroySoon();
  });
  sock.on('end', () => {
    if (!channel.writableEnded) channel.end();
    if (channel.readableEnded) sock.destroySoon();
  });
  channel.on('close', () => {
    if (!sock.destroyed) sock.destroySoon();
  });
  sock.pipe(channel, { end: false });
  channel.pipe(sock, { end: false });
  return { cut };
}
