/**
 * Dial: TCP connect, key exchange with the host key gate, authentication. Resolves with a
 * Connection or rejects with a ClassifiedFailure-bearing DialError. Used for the first
 * connection and for every re-dial, with the same gate (so the key stays pinned).
 */
import { connect as netConnect, type Socket } from 'node:net';
import ssh2 from './ssh2.js';
import type { AuthHandlerMiddleware, ConnectConfig } from 'ssh2';
import type { AddressFamily } from '../config/types.js';
import { classifyDialError, type ClassifiedFailure } from './classify-error.js';
import { Connection } from './connection.js';
import type { HostKeyGate } from './host-key-gate.js';
import { signProvenKeyAtOnce, type ProvenKey } from './proven-key.js';

const { Client } = ssh2;

export interface DialOptions {
  host: string;
  port: number;
  user: string;
  addressFamily: AddressFamily;
  /**
   * Deadline for TCP connect + key exchange, ms. Not for authentication: a person at a
   * password prompt must not be timed out (ssh2's readyTimeout would include that).
   */
  connectTimeoutMs: number;
  /** Deadline for authentication when no person is involved (re-dials), ms; 0 = none. */
  authTimeoutMs: number;
  gate: HostKeyGate;
  /**
   * A fresh authHandler for this connection, given the host key the gate verified on it
   * (set before ssh2 finishes the key exchange, so before any authentication).
   */
  authHandler: (hostKey: () => Buffer | undefined) => AuthHandlerMiddleware;
  /** Agent socket to forward (-A), or undefined. */
  forwardAgentSocket: string | undefined;
  /** A ready stream to run SSH over instead of TCP (ProxyJump); host/port then only name it. */
  sock?: Socket;
  /**
   * Host key algorithms to prefer (those of keys already in known_hosts), as OpenSSH
   * orders them; otherwise a server with several key types could offer one we have not
   * seen and look "changed".
   */
  preferredHostKeyAlgorithms?: string[];
  debug?: (line: string) => void;
  watch?: DialWatch;
  /** The key the server accepted on an earlier link: signed at once this time (proven-key.ts). */
  provenKey?: ProvenKey;
  /** -c, -m, -C: ssh2's cipher, hmac and compress lists; ssh2's defaults where absent. */
  ciphers?: string[];
  macs?: string[];
  compress?: string[];
  /** -b / BindAddress: the local address the TCP connection is made from. */
  localAddress?: string;
}

/** What the caller of a dial may see of it in flight, and how it may call it off. */
export interface DialWatch {
  /** Called once, at the first byte from the server: the path works, the login is under way. */
  answered?: () => void;
  /** Calls the dial off: its socket is closed and it rejects. */
  signal?: AbortSignal;
}

export class DialError extends Error {
  constructor(readonly failure: ClassifiedFailure) {
    super(failure.message);
    this.name = 'DialError';
  }
}

function cancelledError(): Error {
  return Object.assign(new Error('dial called off'), { code: 'ESTAYSSH_CANCELLED' });
}

function timeoutError(): Error {
  return Object.assign(new Error('connection timed out'), { code: 'ESTAYSSH_TIMEOUT' });
}

function tcpConnect(o: DialOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const family = o.addressFamily === 'inet' ? 4 : o.addressFamily === 'inet6' ? 6 : 0;
    const sock = netConnect({ host: o.host, port: o.port, family, noDelay: true, ...(o.localAddress ? { localAddress: o.localAddress } : {}) });
    o.watch?.signal?.addEventListener('abort', () => sock.destroy(cancelledError()), { once: true });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(timeoutError());
    }, o.connectTimeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.removeAllListeners('error');
      resolve(sock);
    });
    sock.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

function algorithmsOf(o: DialOptions): ConnectConfig['algorithms'] {
  const algorithms: NonNullable<ConnectConfig['algorithms']> = {};
  if (o.preferredHostKeyAlgorithms?.length) algorithms.serverHostKey = { prepend: o.preferredHostKeyAlgorithms } as never;
  if (o.ciphers) algorithms.cipher = o.ciphers as never;
  if (o.macs) algorithms.hmac = o.macs as never;
  if (o.compress) algorithms.compress = o.compress as never;
  return Object.keys(algorithms).length > 0 ? algorithms : undefined;
}

function sshHandshake(o: DialOptions, sock: Socket): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    // The methods the server still allows, for OpenSSH's "Permission denied (publickey,password)".
    let methodsLeft: string[] | null = null;
    let hostKey: Buffer | undefined;
    const handler = o.authHandler(() => hostKey) as unknown as (left: string[] | null, partial: boolean, next: unknown) => void;
    const recordingHandler = (left: string[] | null, partial: boolean, next: unknown) => {
      if (left) methodsLeft = left;
      handler(left, partial, next);
    };
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      const e = err as { level?: string; message?: string };
      if (e?.level === 'client-authentication') {
        e.message = `${o.user}@${o.host}: permission denied (${(methodsLeft ?? ['publickey']).join(',')})`;
      }
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      reject(o.gate.rejection ?? err);
    };
    // Phase 1 deadline: until the host key is verified. Phase 2 (auth) is re-armed below.
    let timer = setTimeout(() => fail(timeoutError()), o.connectTimeoutMs);
    client.on('handshake', () => {
      clearTimeout(timer);
      if (o.authTimeoutMs > 0) timer = setTimeout(() => fail(timeoutError()), o.authTimeoutMs);
    });
    client.on('ready', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(new Connection(client, sock, hostKey ?? Buffer.alloc(0)));
    });
    client.on('error', fail);
    client.on('close', () => fail(Object.assign(new Error('connection closed during handshake'), { code: 'ECONNRESET' })));
    const signal = o.watch?.signal;
    const callOff = () => fail(cancelledError());
    if (signal?.aborted) return callOff();
    signal?.addEventListener('abort', callOff, { once: true });
    client.on('ready', () => signal?.removeEventListener('abort', callOff));
    client.connect({
      sock,
      username: o.user,
      readyTimeout: 0,
      keepaliveInterval: 0, // liveness is ours: see Connection.ping
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        // A pending verification is not a stalled link: the user may be reading a prompt.
        clearTimeout(timer);
        void o.gate.verify(key).then((ok) => {
          if (ok) hostKey = Buffer.from(key);
          verify(ok);
        });
      },
      authHandler: recordingHandler as unknown as AuthHandlerMiddleware,
      algorithms: algorithmsOf(o),
      agent: o.forwardAgentSocket,
      agentForward: o.forwardAgentSocket !== undefined,
      debug: o.debug,
    } as ConnectConfig);
    if (o.provenKey) {
      const recordProven = signProvenKeyAtOnce(client, o.provenKey);
      client.once('ready', recordProven);
    }
    // Same tick as ssh2's own listener, so neither misses the first chunk.
    const answered = o.watch?.answered;
    if (answered) sock.once('data', () => answered());
  });
}

export async function dial(o: DialOptions): Promise<Connection> {
  try {
    const sock = o.sock ?? (await tcpConnect(o));
    sock.setNoDelay(true);
    return await sshHandshake(o, sock);
  } catch (err) {
    throw new DialError(classifyDialError(err, o.host, o.port));
  }
}
