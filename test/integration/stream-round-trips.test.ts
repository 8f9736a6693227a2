// `stayssh host CMD` with a small stdin that is not a terminal (issue 18): stdin is read
// while the login runs, so the first attach carries its EOF and no control channel is
// opened to declare it. What goes over the link: the attach, and the cleanup after it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startProxiedSshd, type ProxiedSshd } from '../harness/proxied-sshd.js';
import { runStayssh } from '../harness/stayssh-cli.js';

let fx: ProxiedSshd;
before(async () => {
  fx = await startProxiedSshd('stream-round-trips');
});
after(() => fx?.close());

test('a piped stdin that ends before the attach: one exec runs the command, one cleans up, nothing else', async () => {
  const r = await runStayssh(['-vvv', ...fx.clientArgs(), 'cat; echo done'], { env: fx.env, input: 'abc\n', timeoutMs: 30_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'abc\ndone\n');
  const opens = r.stderr.split('\n').filter((l) => /Sending CHANNEL_OPEN \(r:\d+, session\)/.test(l));
  const execs = r.stderr.split('\n').filter((l) => /Sending CHANNEL_REQUEST \(r:\d+, exec: /.test(l));
  // The attach (its line names the op in the clear: `... 'eval "$8"' stayssh-stream attach NAME`), then the cleanup.
  assert.equal(opens.length, 2, opens.join('\n'));
  assert.equal(execs.length, 2);
  assert.match(execs[0] ?? '', /stayssh-stream attach /);
});
