// A pty exec in one flight (src/transport/pty-exec.ts), against the real sshd: the exec
// request leaves right behind the pty request, before any reply, and the command reads
// its input unechoed (the pty is asked for with echo off).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import ssh2 from '../../src/transport/ssh2.js';
import { Connection } from '../../src/transport/connection.js';
import { execWithPty } from '../../src/transport/pty-exec.js';
import { startSshd, type SshdHandle } from '../harness/sshd.js';
import { waitFor } from '../harness/wait-for.js';

let server: SshdHandle;
before(async () => {
  server = await startSshd();
});
after(() => server?.close());

/** A Connection to the harness sshd whose ssh2 protocol trace lands in `trace`. */
async function traced(trace: string[]): Promise<Connection> {
  const sock = connect({ host: server.host, port: server.port });
  await new Promise((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  const client = new ssh2.Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve).once('error', reject);
    client.connect({ sock, username: server.user, privateKey: readFileSync(server.clientKeyPath), hostVerifier: () => true, debug: (l: string) => trace.push(l) });
  });
  return new Connection(client, sock, Buffer.alloc(0));
}

test('the pty and exec requests go out before the first reply; input is read unechoed', async () => {
  const trace: string[] = [];
  const conn = await traced(trace);
  try {
    const channel = await execWithPty(conn, 'IFS= read -r line; echo "got[$line]"', { term: 'xterm', rows: 24, cols: 80, modes: { ECHO: 0 } });
    channel.write('abc\n');
    let out = '';
    channel.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => out.includes('got[abc]'), { what: 'the command to read its input', detail: () => out });
    assert.doesNotMatch(out.replace('got[abc]', ''), /abc/, 'the input was not echoed');

    const steps = trace
      .filter((l) => /Sending CHANNEL_REQUEST \(r:\d+, (pty-req|exec)|Sending CHANNEL_DATA|Inbound: CHANNEL_SUCCESS/.test(l))
      .map((l) => (/pty-req/.test(l) ? 'pty' : /exec/.test(l) ? 'exec' : /CHANNEL_DATA/.test(l) ? 'data' : 'success'));
    assert.deepEqual(steps.slice(0, 5), ['pty', 'exec', 'success', 'success', 'data'], trace.join('\n'));
    channel.close();
  } finally {
    conn.end();
  }
});
