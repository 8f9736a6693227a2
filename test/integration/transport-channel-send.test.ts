// Keystrokes sent by sendKeys (straight into a packet when the channel is idle) and bulk
// writes through channel.write() share one channel: every byte must arrive, in order,
// through a real sshd, including when the bulk exhausts the peer's window and sendKeys
// must queue behind it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Client, ClientChannel } from 'ssh2';
import ssh2 from '../../src/transport/ssh2.js';
import { sendKeys } from '../../src/transport/channel-send.js';
import { startSshd, type SshdHandle } from '../harness/sshd.js';

/** Bulk chunk, bytes: 64 of them (4 MiB) exceed sshd's 2 MiB initial window. */
const BULK_BYTES = 64 * 1024;

function connect(server: SshdHandle): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.once('ready', () => resolve(client)).once('error', reject);
    client.connect({ host: server.host, port: server.port, username: server.user, privateKey: readFileSync(server.clientKeyPath), hostVerifier: () => true });
  });
}

function exec(client: Client, command: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => client.exec(command, (err, ch) => (err ? reject(err) : resolve(ch))));
}

describe('sendKeys', () => {
  let server: SshdHandle;
  let client: Client;
  before(async () => {
    server = await startSshd();
    client = await connect(server);
  });
  after(async () => {
    client?.end();
    await server?.close();
  });

  it('interleaved with bulk writes, every byte reaches the remote command once and in order', async () => {
    // The remote side hashes what it reads: order and completeness in one line of output.
    const channel = await exec(client, 'sha256sum');
    let out = '';
    channel.on('data', (d: Buffer) => (out += d.toString()));
    const closed = new Promise<void>((resolve) => channel.on('close', () => resolve()));
    let viaWrite = 0;
    const write = channel.write.bind(channel) as (chunk: Buffer) => boolean;
    channel.write = ((chunk: Buffer) => {
      viaWrite++;
      return write(chunk);
    }) as typeof channel.write;

    const expected = createHash('sha256');
    const keys = (i: number) => Buffer.from(`key-${i};`);
    let keyCalls = 0;
    for (let i = 0; i < 200; i++) {
      // Keys while the channel is idle (the direct path) ...
      const k = keys(i);
      sendKeys(channel, k);
      keyCalls++;
      expected.update(k);
      if (i % 3 === 0) {
        // ... and a bulk write that may leave data queued, after which keys must queue too.
        const bulk = Buffer.alloc(BULK_BYTES, i & 0xff);
        viaWrite--; // counted by the wrapper, but not a key
        channel.write(bulk);
        expected.update(bulk);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    channel.end();
    await closed;
    assert.equal(out.split(' ')[0], expected.digest('hex'));
    assert.ok(viaWrite < keyCalls, `keys went straight into packets at least sometimes (${viaWrite} of ${keyCalls} via write)`);
    assert.ok(viaWrite > 0, 'keys queued behind a bulk write went through channel.write');
  });
});
