/**
 * Keystrokes straight into a packet: the shortest path from a key read to the socket.
 *
 * `channel.write()` goes through Node's Writable machinery (buffering state, callbacks,
 * nextTick bookkeeping) before ssh2's `_write` builds the packet. For a few bytes typed
 * after idle that machinery costs tens of µs of cold code, measured on the echo bench.
 * When the Writable has nothing queued and the peer's window and packet size take the
 * whole chunk, we do exactly what ssh2's `Channel._write` (ssh2 1.17, lib/Channel.js)
 * would do: one `protocol.channelData(id, data)` and the window reduced by its length.
 * In every other case (queued data, a short window, a channel not open) we hand the chunk
 * to `channel.write()`, so ordering and flow control stay ssh2's.
 *
 * The fields used are ssh2 internals; `sendable()` checks their shapes so that an ssh2
 * that changed them makes us take the ordinary path instead of misbehaving.
 */
import type { ClientChannel } from 'ssh2';

interface ChannelInternals {
  outgoing?: { id?: unknown; window?: unknown; packetSize?: unknown; state?: unknown };
  _client?: { _protocol?: { channelData?: unknown } };
  _waitWindow?: unknown;
}

interface Sendable {
  outgoing: { id: number; window: number; packetSize: number };
  protocol: { channelData(id: number, data: Buffer): void };
}

function sendable(channel: ClientChannel, length: number): Sendable | undefined {
  const c = channel as unknown as ChannelInternals;
  const out = c.outgoing;
  const protocol = c._client?._protocol;
  if (!out || !protocol || typeof protocol.channelData !== 'function') return undefined;
  if (typeof out.id !== 'number' || typeof out.window !== 'number' || typeof out.packetSize !== 'number') return undefined;
  // A write ssh2 holds for window space keeps its callback pending, so writableLength
  // covers it. (Not `_chunk`: ssh2 never clears it once that write completes.)
  if (out.state !== 'open' || c._waitWindow) return undefined;
  if (channel.writableLength > 0 || channel.writableCorked > 0 || channel.writableEnded) return undefined;
  if (length > out.window || length > out.packetSize) return undefined;
  return { outgoing: out as Sendable['outgoing'], protocol: protocol as Sendable['protocol'] };
}

/** Sends `data` on `channel` now when it fits, else through `channel.write()`. */
export function sendKeys(channel: ClientChannel, data: Buffer): void {
  if (data.length === 0) return;
  const s = sendable(channel, data.length);
  if (!s) {
    channel.write(data);
    return;
  }
  s.protocol.channelData(s.outgoing.id, data);
  s.outgoing.window -= data.length;
}
