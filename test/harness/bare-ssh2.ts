// A bare ssh2 client on a harness sshd, for tests of transport and stream pieces below
// the CLI: one connection per test file, opened in before() and closed in after().
import { readFileSync } from 'node:fs';
import { after, before } from 'node:test';
import type { Client, ClientChannel } from 'ssh2';
import ssh2 from '../../src/transport/ssh2.js';
import { startSshd, type SshdHandle } from './sshd.js';

export interface BareSsh2 {
  server: SshdHandle;
  client: Client;
}

export function connectSsh2(server: SshdHandle): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.once('ready', () => resolve(client)).once('error', reject);
    client.connect({ host: server.host, port: server.port, username: server.user, privateKey: readFileSync(server.clientKeyPath), hostVerifier: () => true });
  });
}

export function execSsh2(client: Client, command: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => client.exec(command, (err, ch) => (err ? reject(err) : resolve(ch))));
}

/** Starts an sshd and connects to it in the calling suite's before(); both end in after(). */
export function useBareSsh2(): BareSsh2 {
  const fx = {} as BareSsh2;
  before(async () => {
    fx.server = await startSshd();
    fx.client = await connectSsh2(fx.server);
  });
  after(async () => {
    fx.client?.end();
    await fx.server?.close();
  });
  return fx;
}
