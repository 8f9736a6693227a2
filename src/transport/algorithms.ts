/**
 * The algorithms ssh2 can negotiate, for `-Q`, `-c`, `-m` and `-C` (docs/BEHAVIOUR.md §1).
 * The lists are ssh2's own (lib/protocol/constants.js, already loaded with ssh2 by
 * ./ssh2.ts), so what `stayssh -Q cipher` prints is exactly what a dial can offer.
 */
import { createRequire } from 'node:module';
import { StaysshError } from '../errors.js';
import { matchPattern } from '../config/patterns.js';
import './ssh2.js';

interface Ssh2Constants {
  SUPPORTED_CIPHER: string[];
  DEFAULT_CIPHER: string[];
  SUPPORTED_MAC: string[];
  DEFAULT_MAC: string[];
  SUPPORTED_KEX: string[];
  SUPPORTED_SERVER_HOST_KEY: string[];
  SUPPORTED_COMPRESSION: string[];
}

const constants = createRequire(import.meta.url)('ssh2/lib/protocol/constants.js') as Ssh2Constants;

export type AlgorithmKind = 'cipher' | 'mac';

export const SUPPORTED: Readonly<Record<'cipher' | 'mac' | 'kex' | 'key' | 'compression', readonly string[]>> = {
  cipher: constants.SUPPORTED_CIPHER,
  mac: constants.SUPPORTED_MAC,
  kex: constants.SUPPORTED_KEX,
  key: constants.SUPPORTED_SERVER_HOST_KEY,
  compression: constants.SUPPORTED_COMPRESSION,
};

export const DEFAULTS: Readonly<Record<AlgorithmKind, readonly string[]>> = {
  cipher: constants.DEFAULT_CIPHER,
  mac: constants.DEFAULT_MAC,
};

const FLAG: Readonly<Record<AlgorithmKind, string>> = { cipher: '-c', mac: '-m' };

/**
 * A `-c` / `-m` spec as ssh(1) takes it (ssh_config(5) Ciphers, MACs): a list replaces the
 * defaults, `+list` appends to them, `-list` removes from them (wildcards allowed), `^list`
 * puts the list first. A name ssh2 cannot negotiate is bad input: one line, 255.
 */
export function algorithmList(kind: AlgorithmKind, spec: string): string[] {
  const mode = /^[+\-^]/.test(spec) ? spec.charAt(0) : '';
  const names = spec.slice(mode.length).split(',');
  const defaults = [...DEFAULTS[kind]];
  if (mode === '-') return defaults.filter((d) => !names.some((n) => matchPattern(d, n)));
  for (const name of names) {
    if (!SUPPORTED[kind].includes(name)) {
      throw new StaysshError(`${FLAG[kind]}: unsupported ${kind} "${name}" (stayssh -Q ${kind} lists those it supports)`);
    }
  }
  if (mode === '+') return [...defaults, ...names.filter((n) => !defaults.includes(n))];
  if (mode === '^') return [...names, ...defaults.filter((d) => !names.includes(d))];
  return [...new Set(names)];
}

/** ssh2's compression order: with Compression (-C) zlib first, else none only, as ssh offers. */
export function compressionList(compress: boolean): string[] {
  return compress ? ['zlib@openssh.com', 'zlib', 'none'] : ['none'];
}
