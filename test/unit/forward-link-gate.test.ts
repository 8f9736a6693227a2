// LinkGate: a direct-tcpip open that the link's death fails (ssh2: "No response from
// server") waits for the next link and is made there; a refusal on a live link is final.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClientChannel } from 'ssh2';
import { LinkGate } from '../../src/forward/link-gate.js';
import type { Connection } from '../../src/transport/connection.js';

type OpenCallback = (err: Error | undefined, channel: ClientChannel) => void;

/** A link whose channel opens stay pending until the test answers them or kills the link. */
interface FakeLink {
  readonly conn: Connection;
  readonly opens: OpenCallback[];
  /** ssh2 on a dead socket: every pending open fails. */
  die(): void;
}

function fakeLink(): FakeLink {
  let closed = false;
  const opens: OpenCallback[] = [];
  const conn = {
    get closed() {
      return closed;
    },
    client: {
      forwardOut: (_sh: string, _sp: number, _h: string, _p: number, cb: OpenCallback) => {
        if (closed) throw new Error('Not connected');
        opens.push(cb);
      },
    },
  } as unknown as Connection;
  return {
    conn,
    opens,
    die() {
      closed = true;
      for (const cb of opens.splice(0)) cb(new Error('No response from server'), undefined as unknown as ClientChannel);
    },
  };
}

const TARGET = { host: '127.0.0.1', port: 5432, srcHost: '127.0.0.1', srcPort: 40000 };
const channel = (name: string) => ({ name, close: () => undefined }) as unknown as ClientChannel;
const settled = () => new Promise((r) => setImmediate(r));

test('an open put on a link that dies before the answer is made again on the next link', async () => {
  const gate = new LinkGate(5_000);
  const dead = fakeLink();
  gate.up(dead.conn);
  const opening = gate.openDirect(TARGET);
  assert.equal(dead.opens.length, 1, 'sent on the current link');

  gate.down(); // the engine drops the link first, then destroys it
  dead.die();
  await settled();
  assert.equal(gate.waiting, 1, 'waits for the next link instead of failing');

  const next = fakeLink();
  gate.up(next.conn);
  assert.equal(next.opens.length, 1, 'made again on the new link');
  next.opens[0]?.(undefined, channel('new'));
  const { channel: got, conn } = await opening;
  assert.equal((got as unknown as { name: string }).name, 'new');
  assert.equal(conn, next.conn);
});

test('a refusal on a live link is final', async () => {
  const gate = new LinkGate(5_000);
  const live = fakeLink();
  gate.up(live.conn);
  const opening = gate.openDirect(TARGET);
  live.opens[0]?.(new Error('Connection refused'), undefined as unknown as ClientChannel);
  await assert.rejects(opening, /Connection refused/);
  assert.equal(gate.waiting, 0);
});

test('the local peer leaving while the open is in flight ends it; the late channel is closed', async () => {
  const gate = new LinkGate(5_000);
  const slow = fakeLink();
  gate.up(slow.conn);
  const abort = new AbortController();
  const opening = gate.openDirect(TARGET, abort.signal);
  abort.abort();
  await assert.rejects(opening, /local connection closed/);
  let closed = false;
  slow.opens[0]?.(undefined, { close: () => (closed = true) } as unknown as ClientChannel);
  await settled();
  assert.ok(closed, 'a channel that opens after nobody wants it is closed');
});

test('stayssh leaving fails an open that was waiting again after its link died', async () => {
  const gate = new LinkGate(5_000);
  const dead = fakeLink();
  gate.up(dead.conn);
  const opening = gate.openDirect(TARGET);
  gate.down();
  gate.close('stayssh is exiting');
  dead.die();
  await assert.rejects(opening, /stayssh is exiting/);
});
