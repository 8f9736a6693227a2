/**
 * OpenSSH 9's flags that stayssh cannot honour, and `-Q` (docs/BEHAVIOUR.md §1): every flag
 * of ssh(1)'s usage line is accepted by the parser (program.ts), and the ones stayssh
 * cannot give their meaning end the run here with one line naming the flag and what it
 * does, exit 255: never "unknown option", never a silent difference.
 */
import { StaysshError } from '../errors.js';
import { SUPPORTED } from '../transport/algorithms.js';

type Raw = Record<string, unknown>;

/** The flag, what it does in ssh(1), and the way round it where there is one. */
const REFUSED: ReadonlyArray<[key: string, flag: string, what: string, alternative: string, planned?: 'planned']> = [
  ['X', '-X', 'X11 forwarding', ''],
  ['Y', '-Y', 'trusted X11 forwarding', ''],
  ['K', '-K', 'GSSAPI authentication', 'use a key or a password'],
  ['M', '-M', 'connection sharing', 'stayssh keeps one link of its own per run'],
  ['O', '-O', 'control of a connection-sharing master', ''],
  ['f', '-f', 'background after login', 'a session outlives stayssh anyway: start it with --session NAME and leave with ~.', 'planned'],
  ['W', '-W', 'stdio forwarding', 'use -L port:host:hostport, or -J for a jump host', 'planned'],
  ['s', '-s', 'subsystems: sftp, scp', 'use ssh for scp and sftp, or rsync -e stayssh', 'planned'],
  ['B', '-B', 'binding to a network interface', 'use -b with that interface\'s address'],
  ['I', '-I', 'PKCS#11 keys', 'load them into ssh-agent with ssh-add -s'],
  ['w', '-w', 'tun device forwarding', ''],
];

/** Ends the run (StaysshError, 255) at the first flag stayssh cannot honour. */
export function refuseUnsupportedFlags(raw: Raw): void {
  // `-S none` only says "no connection sharing", which is what stayssh does anyway.
  const ctlPath = raw['S'];
  if (typeof ctlPath === 'string' && ctlPath.toLowerCase() !== 'none') {
    throw new StaysshError('-S (connection sharing socket) is not supported: stayssh keeps one link of its own per run (only -S none is accepted)');
  }
  for (const [key, flag, what, alternative, planned] of REFUSED) {
    if (raw[key] === undefined || raw[key] === false) continue;
    const yet = planned === undefined ? '' : ' yet';
    throw new StaysshError(`${flag} (${what}) is not supported${yet}${alternative === '' ? '' : `; ${alternative}`}`);
  }
}

/** `-Q` queries, with the ssh_config keyword spellings ssh also takes. */
const QUERY_LISTS: Readonly<Record<string, () => readonly string[]>> = {
  cipher: () => SUPPORTED.cipher,
  ciphers: () => SUPPORTED.cipher,
  'cipher-auth': () => SUPPORTED.cipher.filter((c) => /gcm|chacha20-poly1305/.test(c)),
  mac: () => SUPPORTED.mac,
  macs: () => SUPPORTED.mac,
  kex: () => SUPPORTED.kex,
  kexalgorithms: () => SUPPORTED.kex,
  key: () => SUPPORTED.key,
  'key-plain': () => SUPPORTED.key,
  sig: () => SUPPORTED.key,
  hostkeyalgorithms: () => SUPPORTED.key,
  pubkeyacceptedalgorithms: () => SUPPORTED.key,
  compression: () => SUPPORTED.compression,
  'protocol-version': () => ['2'],
};

/** What `stayssh -Q QUERY` prints, one name a line, as `ssh -Q` does. */
export function queryLines(query: string): string[] {
  if (query === 'help') return Object.keys(QUERY_LISTS).concat('help').sort();
  const list = QUERY_LISTS[query.toLowerCase()];
  if (list === undefined) throw new StaysshError(`Unsupported query "${query}" (stayssh -Q help lists the queries)`);
  return [...list()];
}
