// A private key that others may read is not used, with OpenSSH's warning (sshkey_perm_ok):
// stayssh never quietly uses a key ssh would refuse.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { loadIdentity } from '../../src/transport/identities.js';
import { SecretCache } from '../../src/transport/prompter.js';
import { generateKey } from '../harness/keys.js';
import { makeTempDir } from '../harness/temp-dir.js';

const tmp = makeTempDir('identity-perms');
after(() => tmp.close());

test('a key readable by others is ignored with OpenSSH\'s warning; at 0600 it loads', async () => {
  const path = tmp.join('id_ed25519');
  await generateKey(path);
  const warnings: string[] = [];
  const ctx = { prompter: undefined, secrets: new SecretCache(), warn: (t: string) => warnings.push(t) };
  chmodSync(path, 0o644);
  assert.equal(await loadIdentity({ path, explicit: true }, ctx), undefined);
  assert.match(warnings.join('\n'), /WARNING: UNPROTECTED PRIVATE KEY FILE!/);
  assert.match(warnings.join('\n'), new RegExp(`Permissions 0644 for '${path}' are too open`));
  warnings.length = 0;
  chmodSync(path, 0o600);
  assert.ok(await loadIdentity({ path, explicit: true }, ctx));
  assert.deepEqual(warnings, []);
});
