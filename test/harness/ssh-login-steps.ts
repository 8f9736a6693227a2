// Where an SSH login stands, read from the bytes the fault proxy relays, so a test can
// reset the link at an exact step of it (FaultProxy.onRelay):
//
//   key-exchange      the client's key exchange message (KEX_ECDH_INIT, type 30) is on
//                     its way: version lines and KEXINITs done, no keys yet
//   authentication    the client's first authentication request is on its way
//   command-sent      the request that starts the command (an exec carrying the whole
//                     server-side script, the first large message) has reached the server
//   command-answered  the server's first answer to it: its session runs; the answer is
//                     lost with the link, so the client never learns that it started
//
// The client's stream is plaintext up to its NEWKEYS (type 21) and parsed packet by
// packet. After it everything is encrypted, so the steps are counted in turns: the
// client's bytes since the server last sent something. The login is lockstep (each
// request waits for the server's answer), so turn 1 is the ssh-userauth service request
// and turn 2 the first authentication request.
import type { FaultProxy, RelayedChunk, RelayVerdict } from '../harness/fault-proxy.js';

export type LoginStep = 'key-exchange' | 'authentication' | 'command-sent' | 'command-answered';

/** A client turn at least this large starts the command: the stream exec carries ~16 KB of script, a login's messages are < 1 KB. */
const COMMAND_TURN_MIN_BYTES = 4096;

const SSH_MSG_NEWKEYS = 21;
const SSH_MSG_KEX_ECDH_INIT = 30;

/** Follows one link's login; `see` says whether this chunk reaches `step`, and how to cut there. */
class LoginTracker {
  private plain = Buffer.alloc(0);
  private versionSeen = false;
  private encrypted = false;
  private turn = 0;
  private turnBytes = 0;
  private serverSpoke = false;
  private commandSent = false;

  constructor(private readonly step: LoginStep) {}

  see(r: RelayedChunk): RelayVerdict {
    if (r.direction === 'to-client') {
      this.serverSpoke = true;
      return this.step === 'command-answered' && this.commandSent ? 'lose-and-reset' : undefined;
    }
    let chunk = r.chunk;
    if (!this.encrypted) {
      const { kexInit, encryptedFrom } = this.readPlaintext(chunk);
      if (kexInit && this.step === 'key-exchange') return 'reset';
      if (encryptedFrom === undefined) return undefined;
      chunk = chunk.subarray(encryptedFrom);
      if (chunk.length === 0) return undefined;
    }
    if (this.turn === 0 || this.serverSpoke) {
      this.turn++;
      this.turnBytes = 0;
      this.serverSpoke = false;
    }
    this.turnBytes += chunk.length;
    if (this.step === 'authentication' && this.turn === 2) return 'reset';
    if (this.turnBytes >= COMMAND_TURN_MIN_BYTES && !this.commandSent) {
      this.commandSent = true;
      if (this.step === 'command-sent') return 'reset';
    }
    return undefined;
  }

  /** Parses the client's plaintext: did this chunk hold KEX_ECDH_INIT, and where does ciphertext start in it? */
  private readPlaintext(chunk: Buffer): { kexInit: boolean; encryptedFrom?: number } {
    const before = this.plain.length;
    this.plain = Buffer.concat([this.plain, chunk]);
    let at = 0;
    let kexInit = false;
    if (!this.versionSeen) {
      const eol = this.plain.indexOf('\r\n');
      if (eol < 0) return { kexInit };
      this.versionSeen = true;
      at = eol + 2;
    }
    while (this.plain.length - at >= 6) {
      const packetEnd = at + 4 + this.plain.readUInt32BE(at);
      if (this.plain.length < packetEnd) break;
      const type = this.plain[at + 5];
      at = packetEnd;
      if (type === SSH_MSG_KEX_ECDH_INIT) kexInit = true;
      if (type === SSH_MSG_NEWKEYS) {
        this.encrypted = true;
        return { kexInit, encryptedFrom: at - before };
      }
    }
    this.plain = this.plain.subarray(at);
    return { kexInit };
  }
}

export interface LoginCut {
  /** True once the link was reset at the step. */
  readonly done: boolean;
  /** Stops watching (the cut is made at most once either way). */
  stop(): void;
}

/**
 * Resets the next link the proxy accepts at `step` of its login, once; later links are
 * left alone (the client's retry must get through). `onCut` runs as the link is cut,
 * before the client can notice (e.g. to hold its retry: FaultProxy.holdNewLinks).
 */
export function cutFirstLoginAt(proxy: FaultProxy, step: LoginStep, onCut?: () => void): LoginCut {
  let linkId: number | undefined;
  let tracker: LoginTracker | undefined;
  let done = false;
  const stopAccept = proxy.onAccept((info) => {
    if (linkId !== undefined) return;
    linkId = info.id;
    tracker = new LoginTracker(step);
  });
  const stopRelay = proxy.onRelay((r) => {
    if (done || r.linkId !== linkId || !tracker) return undefined;
    const verdict = tracker.see(r);
    if (verdict !== undefined) {
      done = true;
      stop();
      onCut?.();
    }
    return verdict;
  });
  const stop = () => {
    stopAccept();
    stopRelay();
  };
  return {
    get done() {
      return done;
    },
    stop,
  };
}
