// The run's SecretCache over a keychain: secrets typed here reach the keychain only after a
// successful dial; a stored secret that is refused is erased; the keychain is asked once
// per secret and run. And the authHandler's part: a refused attempt's secrets are dropped.
// Passwords and keyboard-interactive answers are bound to the host key of the connection
// (docs/BEHAVIOUR.md §6): never recalled for another key, in memory or from the keychain.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnyAuthMethod } from 'ssh2';
import { SecretCache, type Prompter, type SecretBacking } from '../../src/transport/prompter.js';
import { makeAuthHandler, type AuthOptions } from '../../src/transport/auth.js';
import { fingerprintSha256 } from '../../src/config/known-hosts.js';

/** Two servers' host keys (any bytes do for a fingerprint) and their fingerprints. */
const HOST_KEY = Buffer.from('host key A');
const OTHER_HOST_KEY = Buffer.from('host key B');
const FP = fingerprintSha256(HOST_KEY);
const OTHER_FP = fingerprintSha256(OTHER_HOST_KEY);

/**
 * A keychain in a Map that binds as the real backing does: each item remembers the host
 * key it was kept with and is recalled only with that one. `initial` items are bound to
 * `boundTo` (none by default: the SecretCache tests use unbound keys).
 */
function fakeBacking(initial: Record<string, string> = {}, boundTo?: string) {
  const items = new Map(Object.entries(initial));
  const hostKeys = new Map<string, string | undefined>(Object.keys(initial).map((k) => [k, boundTo]));
  const log: string[] = [];
  const backing: SecretBacking = {
    recall: async (k, h) => (log.push(`recall ${k}`), hostKeys.get(k) === h ? items.get(k) : undefined),
    keep: async (k, v, h) => {
      log.push(`keep ${k}`);
      items.set(k, v);
      hostKeys.set(k, h);
    },
    erase: async (k) => {
      log.push(`erase ${k}`);
      items.delete(k);
      hostKeys.delete(k);
    },
  };
  return { backing, items, hostKeys, log };
}

describe('SecretCache', () => {
  test('typed secrets are stored only once a dial is accepted', async () => {
    const { backing, items } = fakeBacking();
    const cache = new SecretCache(backing);
    cache.set('u@h:22', 'typed');
    assert.equal(items.size, 0, 'not before the server said yes');
    await cache.accepted();
    assert.equal(items.get('u@h:22'), 'typed');
  });

  test('a typed secret refused before acceptance never reaches the keychain', async () => {
    const { backing, items } = fakeBacking();
    const cache = new SecretCache(backing);
    cache.set('u@h:22', 'typo');
    cache.delete('u@h:22');
    cache.set('u@h:22', 'right');
    await cache.accepted();
    assert.deepEqual([...items], [['u@h:22', 'right']]);
  });

  test('a stored secret is read once per run, and erased when refused', async () => {
    const { backing, items, log } = fakeBacking({ 'u@h:22': 'stale' });
    const cache = new SecretCache(backing);
    assert.equal(await cache.recall('u@h:22'), 'stale');
    assert.equal(await cache.recall('u@h:22'), 'stale');
    cache.delete('u@h:22');
    assert.equal(await cache.recall('u@h:22'), undefined, 'not read back from the keychain');
    await cache.accepted();
    assert.equal(items.size, 0);
    assert.deepEqual(log, ['recall u@h:22', 'erase u@h:22']);
  });

  test('a secret that came from the keychain is not written back', async () => {
    const { backing, log } = fakeBacking({ 'u@h:22': 'good' });
    const cache = new SecretCache(backing);
    await cache.recall('u@h:22');
    await cache.accepted();
    assert.deepEqual(log, ['recall u@h:22']);
  });

  test('a keychain that fails reads as empty', async () => {
    const cache = new SecretCache({ recall: () => Promise.reject(new Error('boom')), keep: async () => undefined, erase: async () => undefined });
    assert.equal(await cache.recall('u@h:22'), undefined);
  });

  test('a secret held for one host key is not recalled for another, in memory either', async () => {
    const { backing, items, hostKeys } = fakeBacking();
    const cache = new SecretCache(backing);
    cache.set('u@h:22', 'typed for A', FP);
    assert.equal(await cache.recall('u@h:22', FP), 'typed for A');
    assert.equal(await cache.recall('u@h:22', OTHER_FP), undefined);
    assert.equal(await cache.recall('u@h:22'), undefined, 'nor without a host key');
    cache.set('u@h:22', 'typed for B', OTHER_FP);
    assert.equal(await cache.recall('u@h:22', FP), 'typed for A', 'each key keeps its own');
    await cache.accepted();
    // One item per name in the keychain: the last one kept is the one stored, with its key.
    assert.equal(items.get('u@h:22'), 'typed for B');
    assert.equal(hostKeys.get('u@h:22'), OTHER_FP);
  });

  test('a refused secret of one host key leaves the other key\'s alone', async () => {
    const { backing, log } = fakeBacking({ 'u@h:22': 'stored for A' }, FP);
    const cache = new SecretCache(backing);
    assert.equal(await cache.recall('u@h:22', FP), 'stored for A');
    cache.set('u@h:22', 'typed for B', OTHER_FP);
    cache.delete('u@h:22', OTHER_FP);
    assert.equal(await cache.recall('u@h:22', FP), 'stored for A');
    await cache.accepted();
    assert.deepEqual(log, ['recall u@h:22'], 'nothing erased, nothing kept');
  });
});

describe('authHandler and the cache', () => {
  /** Drives one dial's handler like ssh2 does: returns the methods it hands out in turn. */
  function drive(o: AuthOptions) {
    const handler = makeAuthHandler(o) as unknown as (left: string[] | null, partial: boolean | null, done: (m: AnyAuthMethod | false) => void) => void;
    return (left: string[] | null, partial: boolean | null = null) => new Promise<AnyAuthMethod | false>((resolve) => handler(left, partial, resolve));
  }

  function options(
    cache: SecretCache,
    answers: string[],
    preferred = ['password'],
    /** null: the connection verified no host key (yet). */
    hostKey: Buffer | null = HOST_KEY,
  ): { o: AuthOptions; asked: string[] } {
    const asked: string[] = [];
    const prompter: Prompter = {
      secret: async (q) => (asked.push(q), answers.shift() ?? ''),
      line: async (q) => (asked.push(q), answers.shift() ?? ''),
      confirmHostKey: async () => 'no',
    };
    const o: AuthOptions = {
      user: 'u', host: 'h', port: 22, account: { user: 'u', host: 'h', port: 22 }, hostKey: () => hostKey ?? undefined, identities: [], identitiesOnly: true, agentSocket: undefined,
      preferred, pubkey: false, password: true, keyboardInteractive: true, prompter, secrets: cache, warn: () => undefined,
    };
    return { o, asked };
  }

  test('a stored password refused by the server is erased, then asked for', async () => {
    const { backing, items } = fakeBacking({ 'u@h:22': 'stale' }, FP);
    const cache = new SecretCache(backing);
    const { o, asked } = options(cache, ['fresh']);
    const next = drive(o);
    assert.deepEqual(await next(null), { type: 'password', username: 'u', password: 'stale' });
    assert.deepEqual(await next(['password']), { type: 'password', username: 'u', password: 'fresh' });
    assert.equal(asked.length, 1);
    await cache.accepted();
    assert.equal(items.get('u@h:22'), 'fresh');
  });

  test('keyboard-interactive answers refused three times are not stored when the password method then succeeds', async () => {
    const { backing, items } = fakeBacking();
    const cache = new SecretCache(backing);
    const { o } = options(cache, ['k1', 'k2', 'k3', 'pw'], ['keyboard-interactive', 'password']);
    const next = drive(o);
    for (let i = 0; i < 3; i++) {
      const m = await next(i === 0 ? null : ['keyboard-interactive', 'password']);
      assert.ok(m && m.type === 'keyboard-interactive');
      await new Promise<void>((resolve) => m.prompt('', '', '', [{ prompt: 'Password: ', echo: false }], () => resolve()));
    }
    const pw = await next(['password']);
    assert.deepEqual(pw, { type: 'password', username: 'u', password: 'pw' });
    await cache.accepted();
    assert.deepEqual([...items.keys()], ['u@h:22'], 'only the accepted password');
  });

  test('a password stored under one host key is not sent to another: asked for, and replaces it once accepted', async () => {
    const { backing, items, hostKeys } = fakeBacking({ 'u@h:22': 'for A' }, FP);
    const cache = new SecretCache(backing);
    const { o, asked } = options(cache, ['for B'], ['password'], OTHER_HOST_KEY);
    const next = drive(o);
    assert.deepEqual(await next(null), { type: 'password', username: 'u', password: 'for B' });
    assert.deepEqual(asked, ["u@h's password: "]);
    assert.equal(items.get('u@h:22'), 'for A', 'not erased: it was never sent');
    await cache.accepted();
    assert.equal(items.get('u@h:22'), 'for B');
    assert.equal(hostKeys.get('u@h:22'), OTHER_FP);
  });

  test('the same host key: the stored password is sent without asking', async () => {
    const { backing } = fakeBacking({ 'u@h:22': 'for A' }, FP);
    const cache = new SecretCache(backing);
    const { o, asked } = options(cache, [], ['password'], HOST_KEY);
    assert.deepEqual(await drive(o)(null), { type: 'password', username: 'u', password: 'for A' });
    assert.deepEqual(asked, []);
  });

  test('secrets are filed under the account name given (HostKeyAlias), not HostName', async () => {
    const { backing, items } = fakeBacking();
    const cache = new SecretCache(backing);
    const { o } = options(cache, ['pw', 'answer'], ['password', 'keyboard-interactive']);
    const aliased: AuthOptions = { ...o, account: { user: 'u', host: 'lab-a', port: 22 }, port: 2222 };
    const next = drive(aliased);
    assert.deepEqual(await next(null), { type: 'password', username: 'u', password: 'pw' });
    const kbd = await next(['keyboard-interactive'], true); // the password was accepted: a second factor
    assert.ok(kbd && kbd.type === 'keyboard-interactive');
    await new Promise<void>((resolve) => kbd.prompt('', '', '', [{ prompt: 'Password: ', echo: false }], () => resolve()));
    await cache.accepted();
    assert.deepEqual([...items.keys()].sort(), ['kbd:u@lab-a:22:Password:', 'u@lab-a:22']);
  });

  test('keyboard-interactive answers are bound to the host key too', async () => {
    const { backing, hostKeys } = fakeBacking({ 'kbd:u@h:22:Password:': 'for A' }, FP);
    const cache = new SecretCache(backing);
    const { o, asked } = options(cache, ['for B'], ['keyboard-interactive'], OTHER_HOST_KEY);
    const m = await drive(o)(null);
    assert.ok(m && m.type === 'keyboard-interactive');
    const replies = await new Promise<string[]>((resolve) => m.prompt('', '', '', [{ prompt: 'Password: ', echo: false }], resolve));
    assert.deepEqual(replies, ['for B']);
    assert.equal(asked.length, 1, 'asked, although an answer for another key was stored');
    await cache.accepted();
    assert.equal(hostKeys.get('kbd:u@h:22:Password:'), OTHER_FP);
  });

  test('no verified host key: nothing stored is sent, nothing typed is kept', async () => {
    const { backing, items, log } = fakeBacking({ 'u@h:22': 'for A' }, FP);
    const cache = new SecretCache(backing);
    const { o, asked } = options(cache, ['typed'], ['password'], null);
    assert.deepEqual(await drive(o)(null), { type: 'password', username: 'u', password: 'typed' });
    assert.equal(asked.length, 1);
    await cache.accepted();
    assert.equal(items.get('u@h:22'), 'for A');
    assert.deepEqual(log, [], 'the keychain was not even asked');
  });
});
