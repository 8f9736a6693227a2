/**
 * Why a dial or an attach failed, as the reconnect core needs to know it: the transport
 * classifies (transport/classify-error.ts), the core decides (core/supervisor.ts).
 *   dns, timeout, network   nothing reached the server
 *   refused, reset, protocol, auth, host-key   the server (or its host) saw the attempt
 *   session                 the link was up but the session could not be attached
 */
export type FailureKind = 'dns' | 'refused' | 'timeout' | 'reset' | 'network' | 'auth' | 'host-key' | 'protocol' | 'session';

/** Failures that never reached the server: they cost it nothing, so they need no backoff. */
export function serverSaw(kind: FailureKind): boolean {
  return kind !== 'dns' && kind !== 'timeout' && kind !== 'network';
}

/**
 * A fault of the path after the server answered (a reset, a broken handshake, a link lost
 * while the session starts): during the first login these are retried within
 * ConnectTimeout, while a typo (unknown host, refused port, wrong key, unknown host key)
 * still fails at once, like ssh.
 */
export function transientLoginFault(kind: FailureKind): boolean {
  return kind === 'reset' || kind === 'protocol';
}
