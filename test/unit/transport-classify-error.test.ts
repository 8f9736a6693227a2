// What ssh2 and the socket report when a login breaks, and whether the first login tries
// again (docs/BEHAVIOUR.md §2): a reset or a handshake cut short is a fault of the path,
// retried within ConnectTimeout; a typo or a setting is not. ssh2 1.17 says "Connection
// lost before handshake" (level 'protocol') when the stream ends before the server's
// version line, an RST arrives as ECONNRESET (level 'client-socket'), and a failed
// negotiation ("no matching C->S cipher") has level 'handshake'.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { transientLoginFault } from '../../src/contracts/failure.js';
import { classifyDialError } from '../../src/transport/classify-error.js';

/** As the supervisor decides for the first login: retryable and a transient kind. */
function retriedAtFirstLogin(err: object): boolean {
  const f = classifyDialError(Object.assign(new Error('x'), err), 'host', 22);
  return f.retryable && transientLoginFault(f.kind);
}

test('a link lost mid-login is retried during the first login', () => {
  const faults = [
    { code: 'ECONNRESET', level: 'client-socket' },
    { code: 'EPIPE', level: 'client-socket' },
    { message: 'Connection lost before handshake', level: 'protocol' },
    { message: 'Bad packet length 123456', level: 'protocol' },
  ];
  for (const f of faults) assert.ok(retriedAtFirstLogin(f), JSON.stringify(f));
});

test('a typo or a setting fails the first login at once', () => {
  const typos = [
    { code: 'ECONNREFUSED' },
    { code: 'ENOTFOUND' },
    { code: 'ESTAYSSH_TIMEOUT' },
    { level: 'client-authentication', message: 'All configured authentication methods failed' },
    { level: 'handshake', message: 'Handshake failed: no matching C->S cipher' },
    { level: 'handshake', message: 'Handshake failed: no matching key exchange algorithm' },
  ];
  for (const f of typos) assert.ok(!retriedAtFirstLogin(f), JSON.stringify(f));
});

test('a failed negotiation is not re-dialed later either: the server would answer the same', () => {
  const f = classifyDialError(Object.assign(new Error('Handshake failed: no matching C->S cipher'), { level: 'handshake' }), 'host', 22);
  assert.equal(f.retryable, false);
  assert.equal(f.message, 'ssh handshake with host port 22 failed: Handshake failed: no matching C->S cipher');
});
