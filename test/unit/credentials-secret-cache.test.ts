// The run's SecretCache over a keychain: secrets typed here reach the keychain only after a
// successful dial; a stored secret that is refused is erased; the keychain is asked once
// per secret and run. And the authHandler's part: a refused attempt's secrets are dropped.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnyAuthMethod } from 'ssh2';
import { SecretCache, type Prompter, type SecretBacking } from '../../src/transport/prompter.js';
import { makeAuthHandler, type AuthOptions } from '../../src/transport/auth.js';

function fakeBacking(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  const log: string[] = [];
  const backing: SecretBacking = {
    recall: async (k) => (log.push(`recall ${k}`), items.get(k)),
    keep: async (k, v) => {
      log.push(`keep ${k}`);
      items.set(k, v);
    },
    erase: async (k) => {
      log.push(`erase ${k}`);
      items.delete(k);
    },
  };
  return { backing, items, log };
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
});

describe('authHandler and the cache', () => {
  /** Drives one dial's handler like ssh2 does: returns the methods it hands out in turn. */
  function drive(o: AuthOptions) {
    const handler = makeAuthHandler(o) as unknown as (left: string[] | null, partial: boolean | null, done: (m: AnyAuthMethod | false) => void) => void;
    return (left: string[] | null, partial: boolean | null = null) => new Promise<AnyAuthMethod | false>((resolve) => handler(left, partial, resolve));
  }

  function options(cache: SecretCache, answers: string[], preferred = ['password']): { o: AuthOptions; asked: string[] } {
    const asked: string[] = [];
    const prompter: Prompter = {
      secret: async (q) => (asked.push(q), answers.shift() ?? ''),
      line: async (q) => (asked.push(q), answers.shift() ?? ''),
      confirmHostKey: async () => 'no',
    };
    const o: AuthOptions = {
      user: 'u', host: 'h', port: 22, identities: [], identitiesOnly: true, agentSocket: undefined,
      preferred, pubkey: false, password: true, keyboardInteractive: true, prompter, secrets: cache, warn: () => undefined,
    };
    return { o, asked };
  }

  test('a stored password refused by the server is erased, then asked for', async () => {
    const { backing, items } = fakeBacking({ 'u@h:22': 'stale' });
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
});
