/**
 * An exec with a pty, in one flight: the exec request leaves right behind the pty
 * request, as soon as the channel opens.
 *
 * ssh2's `exec(cmd, { pty })` waits for the reply to each request before sending the
 * next (ssh2 1.17, lib/client.js: reqPty, then reqExec from its callback): a round trip
 * per request, where SSH needs none (RFC 4254 lets requests follow each other without
 * waiting for replies; OpenSSH's client sends them back to back). On a 50 ms link that
 * is 50 ms on every attach.
 *
 * Input cannot ride along: OpenSSH opens a session channel with a window of 0 and opens
 * it (CHANNEL_WINDOW_ADJUST) only once the command is set up, so the first byte of input
 * leaves with the exec's reply at the earliest (docs/LESSONS.md).
 *
 * How: ssh2 still runs the sequence and keeps its bookkeeping (its reply callbacks, in
 * order), but the moment it sends the pty request we send the exec request behind it,
 * and the one ssh2 would send a round trip later is dropped. The fields used are ssh2
 * internals; when their shapes are not as expected this is ssh2's own exec: slower,
 * never wrong.
 */
import type { ClientChannel, PseudoTtyOptions } from 'ssh2';
import type { Connection } from './connection.js';

type Send = (this: unknown, id: number, ...rest: unknown[]) => unknown;

interface ProtocolInternals {
  pty?: unknown;
  exec?: unknown;
}

/** `command` with a pty, its exec request sent right behind the pty request. */
export function execWithPty(conn: Connection, command: string, pty: PseudoTtyOptions): Promise<ClientChannel> {
  const proto = (conn.client as unknown as { _protocol?: ProtocolInternals })._protocol;
  if (!proto || typeof proto.pty !== 'function' || typeof proto.exec !== 'function') return conn.exec(command, { pty });
  const sendPty = proto.pty as Send;
  const sendExec = proto.exec as Send;
  let pipelined: number | undefined;
  const restore = () => {
    if (proto.pty === hookedPty) proto.pty = sendPty;
    if (proto.exec === hookedExec) proto.exec = sendExec;
  };
  // Armed for the one pty request ssh2 sends for this exec (a link has one pty exec at a
  // time: its attach); it disarms itself at once.
  function hookedPty(this: unknown, id: number, ...rest: unknown[]): unknown {
    proto!.pty = sendPty;
    const result = sendPty.call(this, id, ...rest);
    sendExec.call(this, id, command, true);
    pipelined = id;
    return result;
  }
  // ssh2's own exec request for that channel, a round trip late: already sent.
  function hookedExec(this: unknown, id: number, ...rest: unknown[]): unknown {
    if (id !== pipelined) return sendExec.call(this, id, ...rest);
    proto!.exec = sendExec;
    return undefined;
  }
  proto.pty = hookedPty;
  proto.exec = hookedExec;
  return conn.exec(command, { pty }).then(
    (channel) => {
      restore();
      return channel;
    },
    (err: unknown) => {
      restore();
      throw err;
    },
  );
}
