// Choosing and using the keychain: which store a run gets, the one note when there is no
// keychain, deadlines on a keychain that never answers, the account names, and the
// envelope that binds a password to the host key it was accepted under.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openCredentialStore, unreachableNote } from '../../src/credentials/open-store.js';
import { KeyringStore, keychainReason, type KeyringBackend } from '../../src/credentials/keyring-store.js';
import { KeychainBacking } from '../../src/credentials/keychain-backing.js';
import { MemoryStore } from '../../src/credentials/memory-store.js';
import { accountsOf, describeAccount, isHostBound, kbdAccount, passphraseAccount, passwordAccount, secretDestination } from '../../src/credentials/accounts.js';
import { openSecret, sealSecret } from '../../src/credentials/envelope.js';
import { fingerprintSha256, hostKeyIdentity } from '../../src/config/known-hosts.js';

/** Fingerprints of two servers' host keys (any bytes do). */
const FP_A = fingerprintSha256(Buffer.from('host key A'));
const FP_B = fingerprintSha256(Buffer.from('host key B'));

/** A deadline short enough for a fast test, long enough for an immediate fake answer, ms. */
const TEST_DEADLINE_MS = 50;

/** A keychain in a Map, with switches for the ways real ones fail. */
function fakeBackend(o: { probe?: 'ok' | 'fail' | 'hang'; hangOn?: string; failSet?: boolean } = {}) {
  const items = new Map<string, string>();
  const calls: string[] = [];
  const never = new Promise<never>(() => undefined);
  const gate = async (what: string) => {
    calls.push(what);
    if (o.hangOn === what) await never;
  };
  const backend: KeyringBackend = {
    probe: async () => {
      calls.push('probe');
      if (o.probe === 'fail') throw new Error('no secret service provider or dbus session found\nStack backtrace: ...');
      if (o.probe === 'hang') await never;
    },
    get: async (s, a) => (await gate('get'), items.get(`${s}/${a}`)),
    set: async (s, a, v) => {
      await gate('set');
      if (o.failSet) throw new Error("Couldn't access platform storage: Secret Service: no result found\n   0: <unknown>");
      items.set(`${s}/${a}`, v);
    },
    delete: async (s, a) => (await gate('delete'), items.delete(`${s}/${a}`)),
    list: async (s) => (await gate('list'), [...items.keys()].filter((k) => k.startsWith(`${s}/`)).map((k) => k.slice(s.length + 1))),
  };
  return { backend, items, calls };
}

describe('store selection', () => {
  test('a keychain that answers the probe is used', async () => {
    const { backend } = fakeBackend();
    const r = await openCredentialStore({ backend: async () => backend, timeoutMs: TEST_DEADLINE_MS });
    assert.equal(r.store.kind, 'keychain');
    assert.equal(r.store.available, true);
    assert.equal(r.unreachable, undefined);
  });

  test('no Secret Service: memory, with a short reason', async () => {
    const { backend } = fakeBackend({ probe: 'fail' });
    const r = await openCredentialStore({ backend: async () => backend, timeoutMs: TEST_DEADLINE_MS });
    assert.equal(r.store.kind, 'memory');
    assert.equal(r.unreachable, 'no Secret Service');
    assert.equal(unreachableNote('no Secret Service'), 'stayssh: no OS keychain reachable (no Secret Service); --remember keeps secrets in memory for this run only');
  });

  test('a keychain that never answers: memory after the deadline, no hang', async () => {
    const { backend } = fakeBackend({ probe: 'hang' });
    const r = await openCredentialStore({ backend: async () => backend, timeoutMs: TEST_DEADLINE_MS });
    assert.equal(r.store.kind, 'memory');
    assert.match(r.unreachable ?? '', /did not answer within/);
  });

  test('the native module cannot load: memory, with the reason', async () => {
    const r = await openCredentialStore({
      backend: async () => {
        throw new Error('Cannot find module @napi-rs/keyring-linux-x64-gnu');
      },
    });
    assert.equal(r.store.kind, 'memory');
    assert.match(r.unreachable ?? '', /cannot load @napi-rs\/keyring/);
  });

  test('keychain errors shrink to one line', () => {
    assert.equal(keychainReason(new Error("Couldn't access platform storage: Secret Service: no result found\n\nCaused by:\n  x")), 'Secret Service: no result found');
    assert.equal(keychainReason(new Error('zbus error: org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided')), 'no Secret Service');
  });
});

describe('KeyringStore', () => {
  test('stores under the service stayssh, reads back, deletes, lists', async () => {
    const { backend, items } = fakeBackend();
    const store = new KeyringStore(backend, TEST_DEADLINE_MS);
    await store.set('u@h:22', 's3cret');
    assert.deepEqual([...items.keys()], ['stayssh/u@h:22']);
    assert.equal(await store.get('u@h:22'), 's3cret');
    assert.deepEqual(await store.accounts(), ['u@h:22']);
    assert.equal(await store.delete('u@h:22'), true);
    assert.equal(await store.get('u@h:22'), undefined);
  });

  test('after one missed deadline the keychain is left alone for the rest of the run', async () => {
    const { backend, calls } = fakeBackend({ hangOn: 'get' });
    const store = new KeyringStore(backend, TEST_DEADLINE_MS);
    assert.equal(await store.get('u@h:22'), undefined, 'an unreadable secret reads as absent');
    assert.equal(store.available, false);
    await assert.rejects(store.set('u@h:22', 'x'), /did not answer/);
    assert.deepEqual(calls, ['get'], 'no further call reached the stuck keychain');
  });
});

describe('KeychainBacking', () => {
  function backing(remember: boolean, opened: Awaited<ReturnType<typeof openCredentialStore>>) {
    const notes: string[] = [];
    let opens = 0;
    const b = new KeychainBacking({
      remember,
      open: async () => (opens++, opened),
      note: (t) => notes.push(t),
    });
    return { b, notes, opens: () => opens };
  }

  test('with --remember and no keychain: one note, however many secrets', async () => {
    const { b, notes, opens } = backing(true, { store: new MemoryStore(), unreachable: 'no Secret Service' });
    await b.ready();
    assert.equal(await b.recall('u@h:22', FP_A), undefined);
    await b.keep('u@h:22', 'a', FP_A);
    await b.keep('passphrase:/k', 'b');
    assert.equal(notes.length, 1);
    assert.match(notes[0] ?? '', /no OS keychain reachable \(no Secret Service\)/);
    assert.equal(opens(), 1, 'the keychain is opened once');
  });

  test('without --remember: reads what was stored, stores nothing, says nothing', async () => {
    const { backend, items } = fakeBackend();
    items.set('stayssh/u@h:22', sealSecret('old', FP_A));
    const { b, notes } = backing(false, { store: new KeyringStore(backend, TEST_DEADLINE_MS) });
    assert.equal(await b.recall('u@h:22', FP_A), 'old');
    await b.keep('u@h:22', 'new', FP_A);
    assert.equal(items.get('stayssh/u@h:22'), sealSecret('old', FP_A));
    const { b: quiet, notes: none } = backing(false, { store: new MemoryStore(), unreachable: 'no Secret Service' });
    await quiet.ready();
    assert.deepEqual([...notes, ...none], []);
  });

  test('a store that refuses to write: one note naming why, never the secret', async () => {
    const { backend } = fakeBackend({ failSet: true });
    const { b, notes } = backing(true, { store: new KeyringStore(backend, TEST_DEADLINE_MS) });
    await b.keep('u@h:22', 'hunter2', FP_A);
    await b.keep('u@h:22', 'hunter2', FP_A);
    assert.deepEqual(notes, ['stayssh: could not store in the OS keychain (Secret Service: no result found); kept in memory for this run only']);
  });

  test('erase deletes from the keychain', async () => {
    const { backend, items } = fakeBackend();
    items.set('stayssh/u@h:22', 'wrong');
    const { b } = backing(true, { store: new KeyringStore(backend, TEST_DEADLINE_MS) });
    await b.erase('u@h:22');
    assert.equal(items.size, 0);
  });
});

describe('account names', () => {
  const dest = { user: 'ann', host: 'box.example', port: 2222 };
  test('password, keyboard-interactive answer, passphrase', () => {
    assert.equal(passwordAccount(dest), 'ann@box.example:2222');
    assert.equal(kbdAccount(dest, 'Password: '), 'kbd:ann@box.example:2222:Password:');
    assert.equal(passphraseAccount('/home/ann/.ssh/id_ed25519'), 'passphrase:/home/ann/.ssh/id_ed25519');
    assert.equal(describeAccount('kbd:ann@box.example:2222:Password:'), 'keyboard-interactive answer');
    assert.equal(describeAccount('passphrase:/k'), 'passphrase of /k');
  });

  test('--forget picks the destination\'s accounts and its keys\' passphrases, nothing else', () => {
    const held = [
      'ann@box.example:2222',
      'kbd:ann@box.example:2222:Password:',
      'kbd:ann@box.example:22:Password:',
      'bob@box.example:2222',
      'ann@box.example:22222',
      'passphrase:/home/ann/.ssh/id_ed25519',
      'passphrase:/home/ann/.ssh/other',
    ];
    assert.deepEqual(accountsOf(dest, ['/home/ann/.ssh/id_ed25519'], held), [
      'ann@box.example:2222',
      'kbd:ann@box.example:2222:Password:',
      'passphrase:/home/ann/.ssh/id_ed25519',
    ]);
  });
});

describe('the envelope of a host-bound secret', () => {
  test('sealed with a fingerprint, opened only with the same one', () => {
    const sealed = sealSecret('hunter2', FP_A);
    assert.deepEqual(JSON.parse(sealed), { v: 1, fingerprint: FP_A, secret: 'hunter2' });
    assert.equal(openSecret(sealed, FP_A), 'hunter2');
    assert.equal(openSecret(sealed, FP_B), undefined);
  });

  test('any secret survives the round trip', () => {
    for (const secret of ['', ' spaces ', 'quo"te\\back\nline', '{"v":1}', 'pässwörd ✓']) {
      assert.equal(openSecret(sealSecret(secret, FP_A), FP_A), secret);
    }
  });

  test('what is not a v1 envelope of this key is nothing stored: a bare old-format secret, JSON that is not one, another version', () => {
    for (const stored of [
      'hunter2',
      '12345',
      'null',
      '["x"]',
      JSON.stringify({ fingerprint: FP_A, secret: 's' }),
      JSON.stringify({ v: 2, fingerprint: FP_A, secret: 's' }),
      JSON.stringify({ v: 1, fingerprint: FP_A, secret: 42 }),
      JSON.stringify({ v: 1, secret: 's' }),
      '',
    ]) {
      assert.equal(openSecret(stored, FP_A), undefined, stored);
    }
  });

  test('a fingerprint that is not SHA256 opens nothing and seals nothing, and the error names no secret', () => {
    const sealed = sealSecret('s', FP_A);
    assert.equal(openSecret(sealed, ''), undefined);
    assert.equal(openSecret(JSON.stringify({ v: 1, fingerprint: 'MD5:aa', secret: 's' }), 'MD5:aa'), undefined);
    assert.throws(() => sealSecret('hunter2', 'MD5:aa'), (err: Error) => !err.message.includes('hunter2'));
  });
});

describe('KeychainBacking and host keys', () => {
  function remembering() {
    const { backend, items } = fakeBackend();
    const b = new KeychainBacking({ remember: true, open: async () => ({ store: new KeyringStore(backend, TEST_DEADLINE_MS) }), note: () => undefined });
    return { b, items };
  }

  test('a password is stored in an envelope with its host key, and recalled only for that key', async () => {
    const { b, items } = remembering();
    await b.keep('u@h:22', 'pw', FP_A);
    assert.deepEqual(JSON.parse(items.get('stayssh/u@h:22') ?? ''), { v: 1, fingerprint: FP_A, secret: 'pw' });
    assert.equal(await b.recall('u@h:22', FP_A), 'pw');
    assert.equal(await b.recall('u@h:22', FP_B), undefined);
    assert.equal(await b.recall('u@h:22'), undefined);
    assert.equal(await b.recall('kbd:u@h:22:Password:', FP_A), undefined);
  });

  test('a new key\'s secret replaces the old one in the item', async () => {
    const { b, items } = remembering();
    await b.keep('kbd:u@h:22:Password:', 'old', FP_A);
    await b.keep('kbd:u@h:22:Password:', 'new', FP_B);
    assert.equal(items.size, 1);
    assert.equal(await b.recall('kbd:u@h:22:Password:', FP_B), 'new');
    assert.equal(await b.recall('kbd:u@h:22:Password:', FP_A), undefined);
  });

  test('a password stored bare by an older stayssh is never recalled', async () => {
    const { b, items } = remembering();
    items.set('stayssh/u@h:22', 'legacy');
    items.set('stayssh/kbd:u@h:22:Password:', 'legacy');
    assert.equal(await b.recall('u@h:22', FP_A), undefined);
    assert.equal(await b.recall('kbd:u@h:22:Password:', FP_A), undefined);
  });

  test('a host-bound secret without a host key is not stored', async () => {
    const { b, items } = remembering();
    await b.keep('u@h:22', 'pw');
    await b.keep('u@h:22', 'pw', 'not a fingerprint');
    assert.equal(items.size, 0);
  });

  test('passphrases belong to no host: stored bare, recalled without a host key', async () => {
    const { b, items } = remembering();
    await b.keep('passphrase:/k', 'phrase');
    assert.equal(items.get('stayssh/passphrase:/k'), 'phrase');
    assert.equal(await b.recall('passphrase:/k'), 'phrase');
  });
});

describe('accounts under HostKeyAlias', () => {
  test('the host key\'s name: HostKeyAlias with port 22 when set, else HostName and Port', () => {
    assert.deepEqual(hostKeyIdentity({ hostName: 'localhost', port: 2222 }), { host: 'localhost', port: 2222 });
    assert.deepEqual(hostKeyIdentity({ hostName: 'localhost', port: 2222, hostKeyAlias: 'db.internal' }), { host: 'db.internal', port: 22 });
    assert.equal(passwordAccount(secretDestination({ user: 'ann', hostName: 'localhost', port: 2222 })), 'ann@localhost:2222');
    assert.equal(passwordAccount(secretDestination({ user: 'ann', hostName: 'localhost', port: 2222, hostKeyAlias: 'db.internal' })), 'ann@db.internal:22');
    assert.equal(kbdAccount(secretDestination({ user: 'ann', hostName: 'localhost', port: 2222, hostKeyAlias: 'db-b' }), 'Password:'), 'kbd:ann@db-b:22:Password:');
  });

  test('two tunnels on one local port, told apart by HostKeyAlias, share no item', () => {
    const a = passwordAccount(secretDestination({ user: 'ann', hostName: 'localhost', port: 2222, hostKeyAlias: 'db-a' }));
    const b = passwordAccount(secretDestination({ user: 'ann', hostName: 'localhost', port: 2222, hostKeyAlias: 'db-b' }));
    assert.notEqual(a, b);
  });

  test('passwords and keyboard-interactive answers are host-bound, passphrases are not', () => {
    assert.equal(isHostBound('ann@h:22'), true);
    assert.equal(isHostBound('kbd:ann@h:22:Password:'), true);
    assert.equal(isHostBound('passphrase:/home/ann/.ssh/id_ed25519'), false);
  });
});
