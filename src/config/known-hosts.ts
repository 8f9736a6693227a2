import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { StaysshError } from '../errors.js';
import { hashHostName, hashedEntryMatches, isHashedEntry } from './hashed-host.js';
import { keyTypeOf, type HostKey } from './host-key.js';
import { parseKnownHostsLine, type KnownHostsEntry } from './known-hosts-line.js';
import { matchPatternList } from './patterns.js';

export { fingerprintSha256, keyTypeOf, type HostKey } from './host-key.js';

export type HostKeyVerdict =
  | { kind: 'match'; file: string; line: number }
  | { kind: 'unknown' }
  | { kind: 'changed'; file: string; line: number; knownTypes: string[] }
  | { kind: 'revoked'; file: string; line: number }
  /** No plain key is known, but an @cert-authority line covers the host (see checkHostKey). */
  | { kind: 'cert-authority'; file: string; line: number };

/** The name known_hosts stores: `host` on port 22, else `[host]:port`; lower-case like ssh. */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/**
 * The name and port a server's host key is looked up and recorded under: HostKeyAlias
 * when set, and then without the port (OpenSSH's get_hostfile_hostname_ipaddr), else
 * HostName and Port. The stored secrets of that server are filed under the same name
 * (credentials/accounts.ts).
 */
export function hostKeyIdentity(cfg: { hostName: string; port: number; hostKeyAlias?: string | undefined }): { host: string; port: number } {
  return cfg.hostKeyAlias !== undefined ? { host: cfg.hostKeyAlias, port: 22 } : { host: cfg.hostName, port: cfg.port };
}

/** Parsed entries of one file; missing or unreadable files (permissions...) have none. */
function readEntries(file: string): KnownHostsEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const entries: KnownHostsEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const entry = parseKnownHostsLine(lines[i] ?? '', i + 1);
    if (entry !== null) entries.push(entry);
  }
  return entries;
}

/** A line's host field against the lookup name: hashed, or a pattern list (`!` vetoes). */
function entryMatchesHost(entry: KnownHostsEntry, name: string): boolean {
  if (isHashedEntry(entry.hosts)) return hashedEntryMatches(entry.hosts, name);
  return matchPatternList(name, entry.hosts, true) === 'match';
}

interface Located {
  file: string;
  entry: KnownHostsEntry;
}

/** Every usable entry for host:port across the files, in order, markers included. */
function entriesFor(files: readonly string[], host: string, port: number): Located[] {
  const name = knownHostsName(host, port);
  const found: Located[] = [];
  for (const file of files) {
    for (const entry of readEntries(file)) {
      if (entryMatchesHost(entry, name)) found.push({ file, entry });
    }
  }
  return found;
}

/**
 * Verdict on the key a server offered, OpenSSH-style:
 * - 'revoked' when an @revoked line for this host holds the key (wins over everything);
 * - 'match' for the first line holding the key;
 * - 'changed' when the host has known keys and none is this one. Unlike OpenSSH, this
 *   includes keys of other types only: ssh2 negotiates a single host key type, so a server
 *   that used to show an RSA key and now shows only ed25519 is treated as a change rather
 *   than silently accepted as new. The transport should prefer the known types
 *   (knownHostKeyTypes) when negotiating, as OpenSSH orders HostKeyAlgorithms, so the
 *   right key is offered in the first place. The line named is a same-type one if any;
 * - 'cert-authority' when no plain key is known but an @cert-authority line covers the
 *   host: OpenSSH would ask that host for a certificate signed by the CA, which ssh2
 *   cannot verify (it negotiates no *-cert-v01@openssh.com host key algorithm), so the
 *   plain key it offers must not be trusted on first use either (docs/DECISIONS.md);
 * - 'unknown' otherwise.
 */
export function checkHostKey(files: string[], host: string, port: number, key: HostKey): HostKeyVerdict {
  const found = entriesFor(files, host, port);
  const revoked = found.find((f) => f.entry.marker === 'revoked' && f.entry.blob.equals(key.blob));
  if (revoked !== undefined) return { kind: 'revoked', file: revoked.file, line: revoked.entry.line };
  const plain = found.filter((f) => f.entry.marker === undefined);
  const match = plain.find((f) => f.entry.blob.equals(key.blob));
  if (match !== undefined) return { kind: 'match', file: match.file, line: match.entry.line };
  if (plain.length === 0) {
    const authority = found.find((f) => f.entry.marker === 'cert-authority');
    if (authority !== undefined) return { kind: 'cert-authority', file: authority.file, line: authority.entry.line };
    return { kind: 'unknown' };
  }
  const offending = plain.find((f) => f.entry.keyType === key.type) ?? (plain[0] as Located);
  const knownTypes = [...new Set(plain.map((f) => f.entry.keyType))];
  return { kind: 'changed', file: offending.file, line: offending.entry.line, knownTypes };
}

/** Key types known (not revoked) for host:port, to prefer them in host key negotiation. */
export function knownHostKeyTypes(files: string[], host: string, port: number): string[] {
  const types = entriesFor(files, host, port).filter((f) => f.entry.marker === undefined).map((f) => f.entry.keyType);
  return [...new Set(types)];
}

/** True when the file exists, is not empty and its last byte is not a newline. */
function lacksFinalNewline(file: string): boolean {
  let fd: number;
  try {
    const size = statSync(file).size;
    if (size === 0) return false;
    fd = openSync(file, 'r');
    try {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      return last[0] !== 0x0a;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/**
 * Appends `host keytype base64\n` as ssh writes it (`[host]:port` off port 22, hashed
 * `|1|salt|hash` when asked), creating the directory (0700) and file (0600) if needed and
 * first ending an unterminated last line, as OpenSSH's add_host_to_hostfile does.
 */
export function appendKnownHost(file: string, host: string, port: number, key: HostKey, hash: boolean): void {
  const name = knownHostsName(host, port);
  const field = hash ? hashHostName(name) : name;
  const line = `${field} ${keyTypeOf(key.blob)} ${key.blob.toString('base64')}\n`;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    appendFileSync(file, (lacksFinalNewline(file) ? '\n' : '') + line, { mode: 0o600 });
  } catch (err) {
    throw new StaysshError(`cannot add the host key to ${file}: ${(err as Error).message}`);
  }
}
