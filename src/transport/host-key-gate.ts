/**
 * Decides whether to trust the server's host key. ssh2 accepts ANY key unless its
 * `hostVerifier` says no, and calls it on every key exchange (rekeys too), so this gate
 * is the only thing standing between the user and a man in the middle.
 *
 * First contact: known_hosts and StrictHostKeyChecking, as OpenSSH. From then on the
 * key is pinned for the whole run: after a re-dial only the very same key is accepted,
 * whatever StrictHostKeyChecking says (docs/BEHAVIOUR.md §3), and nothing else is authenticated.
 *
 * Revocations come first, at every key exchange, re-dials included: a key listed in the
 * RevokedHostKeys file or on an @revoked line is refused whatever known_hosts, the pin or
 * StrictHostKeyChecking say, and a RevokedHostKeys file that cannot be read refuses every
 * key, as OpenSSH's sshkey_check_revoked() does (docs/BEHAVIOUR.md §7).
 */
import {
  checkHostKey, appendKnownHost, fingerprintSha256, keyTypeOf, type HostKey, type HostKeyVerdict,
} from '../config/known-hosts.js';
import { checkRevokedKeysFile } from '../config/revoked-keys.js';
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
  /** RevokedHostKeys, expanded; undefined when unset or `none`. */
  revokedHostKeys?: string | undefined;
  /** Undefined in BatchMode or with no terminal: `ask` then behaves like `yes`. */
  prompter: Prompter | undefined;
  warn(text: string): void;
}

const REVOKED_BANNER = [
  '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
  '@       WARNING: REVOKED HOST KEY DETECTED!               @',
  '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
].join('\n');

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

/** The host as known_hosts and ssh's messages name it: `host`, or `[host]:port` off 22. */
function hostLabel(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
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
      const o = this.opts;
      const key = { type: keyTypeOf(blob), blob };
      const verdict = checkHostKey([...o.userKnownHostsFiles, ...o.globalKnownHostsFiles], o.host, o.port, key);
      this.refuseRevoked(key, verdict);
      if (this.pinned) return this.checkPinned(blob);
      const ok = await this.checkFirstContact(key, verdict);
      if (ok) this.pinned = Buffer.from(blob);
      return ok;
    } catch (err) {
      this.rejection = err instanceof HostKeyRejected ? err : new HostKeyRejected(`host key check failed: ${(err as Error).message}`);
      return false;
    }
  }

  /**
   * Throws HostKeyRejected when the key is revoked, by the RevokedHostKeys file (OpenSSH's
   * one line, "Host key ED25519 SHA256:... revoked by file F") or by an @revoked line in
   * known_hosts (OpenSSH's banner), or when the RevokedHostKeys file cannot be used.
   */
  private refuseRevoked(key: HostKey, verdict: HostKeyVerdict): void {
    const o = this.opts;
    if (o.revokedHostKeys !== undefined) {
      const check = checkRevokedKeysFile(o.revokedHostKeys, key);
      if (check.kind === 'unusable') throw new HostKeyRejected(`${check.why}; refusing to connect to ${o.displayName}`);
      if (check.kind === 'revoked') {
        throw new HostKeyRejected(`Host key ${keyTypeLabel(key.type)} ${fingerprintSha256(key.blob)} revoked by file ${o.revokedHostKeys}; host key verification failed`);
      }
    }
    if (verdict.kind === 'revoked') {
      o.warn(`${REVOKED_BANNER}\nThe ${key.type} host key for ${o.displayName} is marked as revoked (${verdict.file}:${verdict.line}).`);
      throw new HostKeyRejected(`host key for ${o.displayName} is revoked; refusing to connect`);
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

  private async checkFirstContact(key: HostKey, verdict: HostKeyVerdict): Promise<boolean> {
    const o = this.opts;
    const blob = key.blob;
    const fp = fingerprintSha256(blob);
    switch (verdict.kind) {
      case 'match':
        return true;
      case 'revoked':
        // refuseRevoked() has refused it already; kept for the switch to be whole.
        throw new HostKeyRejected(`host key for ${o.displayName} is revoked; refusing to connect`);
      case 'changed':
        o.warn(
          `${CHANGED_BANNER}\nThe fingerprint for the ${key.type} key sent by the remote host is\n${fp}.\n` +
            `Offending key in ${verdict.file}:${verdict.line}\nHost key verification failed.`,
        );
        throw new HostKeyRejected(`host key for ${o.displayName} has changed (known_hosts ${verdict.file}:${verdict.line}); refusing to connect`);
      case 'cert-authority':
        // A CA vouches for this host's certificates, which ssh2 cannot check: trusting the
        // plain key on first use (or asking) would bypass the CA. Refused whatever
        // StrictHostKeyChecking says; a plain key pinned in known_hosts still works
        // (docs/BEHAVIOUR.md §7, docs/DECISIONS.md).
        throw new HostKeyRejected(
          `host certificates are not supported (@cert-authority in ${verdict.file}:${verdict.line} covers ${hostLabel(o.host, o.port)}); add the host's key to known_hosts to connect`,
        );
      case 'unknown':
        return this.acceptUnknown(key.type, blob, fp);
    }
    return false;
  }

  private async acceptUnknown(type: string, blob: Buffer, fp: string): Promise<boolean> {
    const o = this.opts;
    const label = hostLabel(o.host, o.port);
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
