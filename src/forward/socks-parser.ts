/**
 * SOCKS4, SOCKS4a and SOCKS5 (RFC 1928) CONNECT requests, parsed from bytes as they
 * arrive: no I/O here. Only what ssh -D offers: CONNECT, no authentication (SOCKS5
 * method 0x00). Anything else gets the protocol's own refusal and is closed.
 */

/** Longest request we accept, bytes: SOCKS4 user id plus a 4a host name, or a SOCKS5 one. */
const MAX_REQUEST_BYTES = 1024;

export type SocksStep =
  /** Need more bytes. */
  | { kind: 'more' }
  /** Send these bytes and keep reading (SOCKS5 method selection). */
  | { kind: 'reply'; bytes: Buffer }
  /** A CONNECT request: open host:port, then answer with succeeded()/failed(). */
  | { kind: 'connect'; version: 4 | 5; host: string; port: number; rest: Buffer }
  /** A refusal: send `bytes` (if any) and close. */
  | { kind: 'fail'; bytes?: Buffer; reason: string };

/** SOCKS5 reply codes (RFC 1928 §6) we use. */
export const SOCKS5_GENERAL_FAILURE = 0x01;
export const SOCKS5_HOST_UNREACHABLE = 0x04;
export const SOCKS5_CONNECTION_REFUSED = 0x05;
const SOCKS5_COMMAND_NOT_SUPPORTED = 0x07;
const SOCKS5_ADDRESS_NOT_SUPPORTED = 0x08;

function socks5Reply(code: number): Buffer {
  // VER REP RSV ATYP=IPv4 BND.ADDR=0.0.0.0 BND.PORT=0, as OpenSSH answers.
  return Buffer.from([0x05, code, 0x00, 0x01, 0, 0, 0, 0, 0, 0]);
}

function socks4Reply(granted: boolean): Buffer {
  return Buffer.from([0x00, granted ? 0x5a : 0x5b, 0, 0, 0, 0, 0, 0]);
}

/** The answer once the channel is open (or could not be). */
export function succeeded(version: 4 | 5): Buffer {
  return version === 4 ? socks4Reply(true) : socks5Reply(0x00);
}

export function failed(version: 4 | 5, code = SOCKS5_GENERAL_FAILURE): Buffer {
  return version === 4 ? socks4Reply(false) : socks5Reply(code);
}

function ipv6Text(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return groups.join(':');
}

export class SocksParser {
  private buf: Buffer = Buffer.alloc(0);
  private phase: 'start' | 'request5' | 'done' = 'start';

  /** Feeds bytes; returns the steps they complete, in order (never empty). */
  push(chunk: Buffer): SocksStep[] {
    if (this.phase === 'done') return [{ kind: 'fail', reason: 'data after the request' }];
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const steps: SocksStep[] = [];
    if (this.phase === 'start') {
      const first = this.start();
      // A greeting may arrive with the request pipelined behind it: answer both, in order.
      if (first.kind !== 'reply' || this.buf.length === 0) return this.limit([first]);
      steps.push(first);
    }
    steps.push(this.request5());
    return this.limit(steps);
  }

  private limit(steps: SocksStep[]): SocksStep[] {
    const last = steps[steps.length - 1];
    if (last?.kind === 'more' && this.buf.length > MAX_REQUEST_BYTES) {
      steps[steps.length - 1] = this.end({ kind: 'fail', reason: 'request too long' });
    }
    return steps;
  }

  private end(step: SocksStep): SocksStep {
    this.phase = 'done';
    return step;
  }

  private start(): SocksStep {
    const b = this.buf;
    if (b.length < 1) return { kind: 'more' };
    if (b[0] === 0x04) return this.request4();
    if (b[0] !== 0x05) return this.end({ kind: 'fail', reason: `not a SOCKS request (first byte ${b[0]})` });
    if (b.length < 2) return { kind: 'more' };
    const n = b[1] ?? 0;
    if (b.length < 2 + n) return { kind: 'more' };
    const methods = b.subarray(2, 2 + n);
    this.buf = b.subarray(2 + n);
    if (!methods.includes(0x00)) {
      return this.end({ kind: 'fail', bytes: Buffer.from([0x05, 0xff]), reason: 'client offers no "no authentication" method' });
    }
    this.phase = 'request5';
    return { kind: 'reply', bytes: Buffer.from([0x05, 0x00]) };
  }

  /** VER=4 CMD DSTPORT(2) DSTIP(4) USERID NUL [HOST NUL if DSTIP is 0.0.0.x, x != 0]. */
  private request4(): SocksStep {
    const b = this.buf;
    if (b.length < 9) return { kind: 'more' };
    const userEnd = b.indexOf(0x00, 8);
    if (userEnd < 0) return { kind: 'more' };
    if (b[1] !== 0x01) return this.end({ kind: 'fail', bytes: socks4Reply(false), reason: `SOCKS4 command ${b[1]} not supported` });
    const port = b.readUInt16BE(2);
    let host = `${b[4]}.${b[5]}.${b[6]}.${b[7]}`;
    let next = userEnd + 1;
    if (b[4] === 0 && b[5] === 0 && b[6] === 0 && b[7] !== 0) {
      const hostEnd = b.indexOf(0x00, next);
      if (hostEnd < 0) return { kind: 'more' };
      host = b.subarray(next, hostEnd).toString('latin1');
      next = hostEnd + 1;
    }
    return this.end({ kind: 'connect', version: 4, host, port, rest: b.subarray(next) });
  }

  /** VER=5 CMD RSV ATYP DST.ADDR DST.PORT(2). */
  private request5(): SocksStep {
    const b = this.buf;
    if (b.length < 5) return { kind: 'more' };
    const atyp = b[3];
    const addrLen = atyp === 0x01 ? 4 : atyp === 0x04 ? 16 : atyp === 0x03 ? 1 + (b[4] ?? 0) : -1;
    if (addrLen < 0) return this.end({ kind: 'fail', bytes: socks5Reply(SOCKS5_ADDRESS_NOT_SUPPORTED), reason: `address type ${atyp} not supported` });
    if (b.length < 4 + addrLen + 2) return { kind: 'more' };
    if (b[0] !== 0x05) return this.end({ kind: 'fail', bytes: socks5Reply(SOCKS5_GENERAL_FAILURE), reason: 'bad SOCKS5 request' });
    if (b[1] !== 0x01) return this.end({ kind: 'fail', bytes: socks5Reply(SOCKS5_COMMAND_NOT_SUPPORTED), reason: `SOCKS5 command ${b[1]} not supported` });
    const addr = b.subarray(4, 4 + addrLen);
    const host = atyp === 0x01 ? [...addr].join('.') : atyp === 0x04 ? ipv6Text(addr) : addr.subarray(1).toString('latin1');
    const port = b.readUInt16BE(4 + addrLen);
    return this.end({ kind: 'connect', version: 5, host, port, rest: b.subarray(4 + addrLen + 2) });
  }
}
