// Choosing and using the keychain: which store a run gets, the one note when there is no
// keychain, deadlines on a keychain that never answers, and the account names.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openCredentialStore, unreachableNote } from '../../src/credentials/open-store.js';
import { KeyringStore, keychainReason, type KeyringBackend } from '../../src/credentials/keyring-store.js';
import { KeychainBacking } from '../../src/credentials/keychain-backing.js';
import { MemoryStore } from '../../src/credentials/memory-store.js';
import { accountsOf, describeAccount, kbdAccount, passphraseAccount, passwordAccount } from '../../src/credentials/accounts.js';

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
    assert.equal(await b.recall('u@h:22'), undefined);
    await b.keep('u@h:22', 'a');
    await b.keep('passphrase:/k', 'b');
    assert.equal(notes.length, 1);
    assert.match(notes[0] ?? '', /no OS keychain reachable \(no Secret Service\)/);
    assert.equal(opens(), 1, 'the keychain is opened once');
  });

  test('without --remember: reads what was stored, stores nothing, says nothing', async () => {
    const { backend, items } = fakeBackend();
    items.set('stayssh/u@h:22', 'old');
    const { b, notes } = backing(false, { store: new KeyringStore(backend, TEST_DEADLINE_MS) });
    assert.equal(await b.recall('u@h:22'), 'old');
    await b.keep('u@h:22', 'new');
    assert.equal(items.get('stayssh/u@h:22'), 'old');
    const { b: quiet, notes: none } = backing(false, { store: new MemoryStore(), unreachable: 'no Secret Service' });
    await quiet.ready();
    assert.deepEqual([...notes, ...none], []);
  });

  test('a store that refuses to write: one note naming why, never the secret', async () => {
    const { backend } = fakeBackend({ failSet: true });
    const { b, notes } = backing(true, { store: new KeyringStore(backend, TEST_DEADLINE_MS) });
    await b.keep('u@h:22', 'hunter2');
    await b.keep('u@h:22', 'hunter2');
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
