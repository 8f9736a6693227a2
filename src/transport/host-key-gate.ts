/**
 * Decides whether to trust the server's host key. ssh2 accepts ANY key unless its
 * `hostVerifier` says no, and calls it on every key exchange (rekeys too), so this gate
 * is the only thing standing between the user and a man in the middle.
 *
 * First contact: known_hosts and StrictHostKeyChecking, as OpenSSH. From then on the
 * key is pinned for the whole run: after a re-dial only the very same key is accepted,
 * whatever StrictHostKeyChecking says (docs/BEHAVIOUR.md §3), and nothing else is authenticated.
 */
import { checkHostKey, appendKnownHost, fingerprintSha256, keyTypeOf } from '../config/known-hosts.js';
import type { StrictHostKeyChecking } from '../config/types.js';
import { HostKeyRejected } from './classify-error.js';
import type { Prompter } from './prompter.js';

export interface HostKeyGateOptions {
  host: string;
  port: number;
  /** How the user named it, for messages (`lab` rather than 10.1.2.3). */
  displayName: string;
  userKnownHostsFiles: string[];
  globalKnownHostsFiles: string[];
  strict: StrictHostKeyChecking;
  hashKnownHosts: boolean;
  /** Undefined in BatchMode or with no terminal: `ask` then behaves like `yes`. */
  prompter: Prompter | undefined;
  warn(text: string): void;
}

const CHANGED_BANNER = [
  '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
  '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
  '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
  'IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!',
  'Someone could be eavesdropping on you right now (man-in-the-middle attack)!',
].join('\n');

/** After an answer that is not one (a fingerprint other than this key's), as ssh asks again. */
const ASK_AGAIN = "Please type 'yes', 'no' or the fingerprint: ";

/** The short name ssh prints for a key type (OpenSSH's sshkey_type()): ED25519, RSA, ECDSA... */
function keyTypeLabel(type: string): string {
  if (type.startsWith('sk-ecdsa-')) return 'ECDSA-SK';
  if (type.startsWith('sk-ssh-ed25519')) return 'ED25519-SK';
  if (type.startsWith('ecdsa-')) return 'ECDSA';
  if (type === 'ssh-dss') return 'DSA';
  return type.replace(/^ssh-/, '').toUpperCase();
}

export class HostKeyGate {
  private pinned: Buffer | undefined;
  /** Why the last key was refused; the dial turns it into its error. */
  rejection: HostKeyRejected | undefined;

  constructor(private readonly opts: HostKeyGateOptions) {}

  get pinnedKey(): Buffer | undefined {
    return this.pinned;
  }

  /** Pin a key known from elsewhere (a library caller, a second client of one run). */
  pin(blob: Buffer): void {
    this.pinned = Buffer.from(blob);
  }

  /** The ssh2 hostVerifier body. Resolves true to accept. Never throws. */
  async verify(blob: Buffer): Promise<boolean> {
    this.rejection = undefined;
    try {
      if (this.pinned) return this.checkPinned(blob);
      const ok = await this.checkFirstContact(blob);
      if (ok) this.pinned = Buffer.from(blob);
      return ok;
    } catch (err) {
      this.rejection = err instanceof HostKeyRejected ? err : new HostKeyRejected(`host key check failed: ${(err as Error).message}`);
      return false;
    }
  }

  private checkPinned(blob: Buffer): boolean {
    if (this.pinned && this.pinned.equals(blob)) return true;
    const o = this.opts;
    o.warn(
      `${CHANGED_BANNER}\nThe ${keyTypeOf(blob)} key of ${o.displayName} changed since this session connected.\n` +
        `Seen at first contact: ${fingerprintSha256(this.pinned ?? Buffer.alloc(0))}\n` +
        `Offered now:           ${fingerprintSha256(blob)}\nNo authentication was attempted.`,
    );
    this.rejection = new HostKeyRejected(`host key for ${o.displayName} changed after reconnecting; refusing to continue`);
    return false;
  }

  private async checkFirstContact(blob: Buffer): Promise<boolean> {
    const o = this.opts;
    const key = { type: keyTypeOf(blob), blob };
    const files = [...o.userKnownHostsFiles, ...o.globalKnownHostsFiles];
    const verdict = checkHostKey(files, o.host, o.port, key);
    const fp = fingerprintSha256(blob);
    switch (verdict.kind) {
      case 'match':
        return true;
      case 'revoked':
        o.warn(`@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n@       WARNING: REVOKED HOST KEY DETECTED!               @\n@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\nThe ${key.type} host key for ${o.displayName} is marked as revoked (${verdict.file}:${verdict.line}).`);
        throw new HostKeyRejected(`host key for ${o.displayName} is revoked; refusing to connect`);
      case 'changed':
        o.warn(
          `${CHANGED_BANNER}\nThe fingerprint for the ${key.type} key sent by the remote host is\n${fp}.\n` +
            `Offending key in ${verdict.file}:${verdict.line}\nHost key verification failed.`,
        );
        throw new HostKeyRejected(`host key for ${o.displayName} has changed (known_hosts ${verdict.file}:${verdict.line}); refusing to connect`);
      case 'unknown':
        return this.acceptUnknown(key.type, blob, fp);
    }
    return false;
  }

  private async acceptUnknown(type: string, blob: Buffer, fp: string): Promise<boolean> {
    const o = this.opts;
    const label = o.port === 22 ? o.host : `[${o.host}]:${o.port}`;
    if (o.strict === 'yes' || (o.strict === 'ask' && !o.prompter)) {
      throw new HostKeyRejected(`no ${type} host key is known for ${label} and StrictHostKeyChecking is ${o.strict === 'yes' ? 'yes' : 'ask with no terminal to ask on'}; host key verification failed`);
    }
    if (o.strict === 'ask' && o.prompter) {
      const question =
        `The authenticity of host '${label}' can't be established.\n` +
        `${keyTypeLabel(type)} key fingerprint is ${fp}.\n` +
        `This key is not known by any other names.\n` +
        `Are you sure you want to continue connecting (yes/no/[fingerprint])? `;
      for (let q = question; ; q = ASK_AGAIN) {
        const answer = await o.prompter.confirmHostKey(q);
        if (answer === 'no') throw new HostKeyRejected('host key verification failed');
        if (answer === 'yes' || answer.fingerprint === fp) break;
      }
    }
    // OpenSSH writes new keys under `no` as well; only a changed key is never accepted.
    this.remember(type, blob, label);
    return true;
  }

  /** Writes the key where OpenSSH would: the first UserKnownHostsFile. */
  private remember(type: string, blob: Buffer, label: string): void {
    const file = this.opts.userKnownHostsFiles[0];
    if (!file || file === '/dev/null') return;
    try {
      appendKnownHost(file, this.opts.host, this.opts.port, { type, blob }, this.opts.hashKnownHosts);
      this.opts.warn(`Warning: Permanently added '${label}' (${keyTypeLabel(type)}) to the list of known hosts.`);
    } catch (err) {
      this.opts.warn(`Failed to add the host to the list of known hosts (${file}): ${(err as Error).message}`);
    }
  }
}
