// Keystrokes sent by sendKeys (straight into a packet when the channel is idle) and bulk
// writes through channel.write() share one channel: every byte must arrive, in order,
// through a real sshd, including when the bulk exhausts the peer's window and sendKeys
// must queue behind it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { sendKeys } from '../../src/transport/channel-send.js';
import { execSsh2, useBareSsh2 } from '../harness/bare-ssh2.js';

/** One write larger than sshd's channel window (2 MiB), bytes. */
const BIG_WRITE_BYTES = 3 * 1024 * 1024;

describe('sendKeys', () => {
  const fx = useBareSsh2();

  it('interleaved with bulk writes, every byte reaches the remote command once and in order', async () => {
    // The remote side hashes what it reads: order and completeness in one line of output.
    const channel = await execSsh2(fx.client, 'sha256sum');
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
    let keyCalls = 0;
    const key = (text: string) => {
      const k = Buffer.from(text);
      sendKeys(channel, k);
      keyCalls++;
      expected.update(k);
    };
    const bulk = (bytes: number, fill: number) => {
      const b = Buffer.alloc(bytes, fill);
      viaWrite--; // counted by the wrapper, but not a key
      channel.write(b);
      expected.update(b);
    };
    let queuedKeys = 0;
    for (let i = 0; i < 20; i++) {
      // Keys while the channel is idle: straight into packets.
      for (let j = 0; j < 10; j++) key(`key-${i}-${j};`);
      // More than sshd's 2 MiB window in one write: ssh2 keeps the rest until the window
      // grows, so the next keys must queue behind it (through write()), in order.
      bulk(BIG_WRITE_BYTES, i & 0xff);
      key(`queued-${i};`);
      queuedKeys++;
      // A corked channel queues too.
      channel.cork();
      key(`corked-${i};`);
      queuedKeys++;
      channel.uncork();
      await new Promise<void>((resolve) => channel.once('drain', () => resolve()));
    }
    channel.end();
    await closed;
    assert.equal(out.split(' ')[0], expected.digest('hex'));
    // The hash above is what matters (a key jumping the queue would change it); these say
    // both paths were taken: the first keys meet a fresh 2 MiB window and an idle channel.
    assert.ok(viaWrite >= queuedKeys, `keys sent while data was queued went through write() (${viaWrite} of ${queuedKeys})`);
    assert.ok(keyCalls - viaWrite >= 10, `keys on an idle channel went straight into packets (${keyCalls - viaWrite})`);
  });
});
