// A server's words are shown, never obeyed (docs/BEHAVIOUR.md §7): a disconnect message
// with control bytes reaches the user's terminal with each as a visible \ooo escape.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDisconnectingServer, type DisconnectingServer } from '../harness/disconnecting-server.js';
import { isolatedClientEnv } from '../harness/ssh-client.js';
import { makeTempDir, type TempDir } from '../harness/temp-dir.js';
import { runStayssh, singleErrorLine } from '../harness/stayssh-cli.js';

/** Clears the screen, rings, retitles the terminal: what a raw message would do. */
const HOSTILE = Buffer.from('go away\x1b[2J\x07\x1b]2;owned\x07 now', 'latin1');

let server: DisconnectingServer;
let tmp: TempDir;

before(async () => {
  server = await startDisconnectingServer(HOSTILE);
  tmp = makeTempDir('hostile-text');
});
after(async () => {
  await server?.close();
  tmp?.close();
});

test('a disconnect message with control bytes is printed with them made visible, and ends with 255', async () => {
  const r = await runStayssh(['-p', String(server.port), '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', 'someone@127.0.0.1', 'true'], {
    env: isolatedClientEnv(tmp.path),
    timeoutMs: 30_000,
  });
  assert.equal(r.code, 255, r.stderr);
  const line = singleErrorLine(r.stderr);
  assert.match(line, /go away/);
  assert.match(line, /\\033\[2J\\007\\033\]2;owned\\007 now/);
  const controls = [...r.stderr].filter((c) => (c < ' ' && c !== '\n') || c === '\x7f');
  assert.deepEqual(controls, [], 'no control byte reaches the terminal');
});
