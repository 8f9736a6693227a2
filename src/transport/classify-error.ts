/**
 * One function that turns whatever a dial threw into (a) one line a user understands and
 * (b) whether trying again later can help. ssh2 tags errors with `.level`
 * (client-socket, client-timeout, client-dns, client-authentication, handshake, protocol);
 * Node's socket errors carry `.code`.
 */
import { StaysshError } from '../errors.js';
import { printableLine } from '../contracts/printable.js';

import type { FailureKind } from '../contracts/failure.js';

export type { FailureKind };

export interface ClassifiedFailure {
  kind: FailureKind;
  /** One line, no trailing period, no secrets. */
  message: string;
  /** Worth re-dialing for (only ever used once the session was up). */
  retryable: boolean;
}

interface ErrorLike {
  message?: string;
  code?: string;
  level?: string;
}

export function classifyDialError(err: unknown, host: string, port: number): ClassifiedFailure {
  if (err instanceof HostKeyRejected) return { kind: 'host-key', message: err.message, retryable: false };
  const e = (err ?? {}) as ErrorLike;
  const where = `${host} port ${port}`;
  switch (e.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_NODATA':
      // EAI_AGAIN while roaming is a temporary DNS failure: worth another try.
      return { kind: 'dns', message: `could not resolve hostname ${host}: name or service not known`, retryable: true };
    case 'ECONNREFUSED':
      return { kind: 'refused', message: `connect to host ${where}: connection refused`, retryable: true };
    case 'ETIMEDOUT':
    case 'ESTAYSSH_TIMEOUT':
      return { kind: 'timeout', message: `connect to host ${where}: connection timed out`, retryable: true };
    case 'ECONNRESET':
    case 'EPIPE':
      return { kind: 'reset', message: `connection to ${where} reset by peer`, retryable: true };
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
    case 'ENETDOWN':
    case 'EADDRNOTAVAIL':
      return { kind: 'network', message: `connect to host ${where}: ${networkWords(e.code)}`, retryable: true };
    default:
      break;
  }
  if (e.level === 'client-authentication') {
    return { kind: 'auth', message: firstLine(e.message ?? 'permission denied'), retryable: false };
  }
  if (e.level === 'client-timeout') {
    return { kind: 'timeout', message: `connection to ${where} timed out`, retryable: true };
  }
  if (e.level === 'handshake') {
    // ssh2's 'handshake' errors are the negotiation failing (no common cipher, key exchange
    // or MAC, a bad signature): a setting, not the path. Dialing again gives the same
    // answer, so the first login fails at once, as ssh's "Unable to negotiate" does.
    return { kind: 'protocol', message: `ssh handshake with ${where} failed: ${firstLine(e.message)}`, retryable: false };
  }
  if (e.level === 'protocol') {
    // The stream broke or was garbled mid-handshake ("Connection lost before handshake"):
    // a fault of the path, retried.
    return { kind: 'protocol', message: `ssh handshake with ${where} failed: ${firstLine(e.message)}`, retryable: true };
  }
  return { kind: 'network', message: `connection to ${where} failed: ${firstLine(e.message)}`, retryable: true };
}

function networkWords(code: string): string {
  if (code === 'ENETUNREACH' || code === 'ENETDOWN') return 'network is unreachable';
  if (code === 'EHOSTUNREACH') return 'no route to host';
  return 'cannot assign requested address';
}

/** The first line of an error's text, which may be the server's words: made printable. */
function firstLine(message: string | undefined): string {
  return printableLine((message ?? 'unknown error').split('\n')[0] ?? 'unknown error');
}

/** Thrown by the host key gate; carries the loud message already shown. */
export class HostKeyRejected extends StaysshError {
  constructor(message: string) {
    super(message, 255);
    this.name = 'HostKeyRejected';
  }
}
