/**
 * Wire form of the shim's reports, and its decoder.
 *
 * A report is an OSC sequence: `ESC ] 7777 ; stayssh ; <payload> BEL`. Terminals ignore
 * unknown OSC numbers, so even a frame that escaped the filter would stay invisible.
 *
 * The payload is `key=value` words separated by single spaces, not JSON: the shim is
 * POSIX sh without backslashes (see shim-script.ts), and building JSON there means
 * escaping quotes, which needs them. Values the shim emits raw are restricted to
 * `[A-Za-z0-9._-]*` (validated names, numbers, fixed words). Free text (commands, error
 * messages) travels hex-encoded in a key ending with `_x` (made by `od | tr` on the
 * server, locale-proof and binary-safe) and is decoded here as UTF-8.
 */
import { isValidSessionName, type MuxName, type ShimErrorCode, type ShimReport } from './types.js';

/** Bytes that open a report frame. */
export const REPORT_PREFIX = Buffer.from('\x1b]7777;stayssh;', 'latin1');
/** The byte that closes one (BEL). */
export const REPORT_END = 0x07;

const ERROR_CODES: readonly ShimErrorCode[] = ['no-mux', 'no-session', 'bad-name', 'mux-failed', 'bad-args'];

/** Split `k=v k=v` into a map, hex-decoding `_x` keys into their plain name. */
export function decodeFields(payload: string): Map<string, string> | null {
  const fields = new Map<string, string>();
  for (const word of payload.split(' ')) {
    if (word === '') continue;
    const eq = word.indexOf('=');
    if (eq <= 0) return null;
    const key = word.slice(0, eq);
    const value = word.slice(eq + 1);
    if (key.endsWith('_x')) {
      if (!/^(?:[0-9a-f]{2})*$/.test(value)) return null;
      fields.set(key.slice(0, -2), Buffer.from(value, 'hex').toString('utf8'));
    } else {
      fields.set(key, value);
    }
  }
  return fields;
}

function int(v: string | undefined): number | null {
  return v !== undefined && /^[0-9]{1,15}$/.test(v) ? Number(v) : null;
}

function mux(v: string | undefined): MuxName | null {
  return v === 'tmux' || v === 'screen' ? v : null;
}

/** Decode one frame's payload into a typed report; `unknown` when it does not fit. */
export function decodeReport(payload: string): ShimReport {
  const unknown: ShimReport = { t: 'unknown', raw: payload };
  const f = decodeFields(payload);
  if (!f) return unknown;
  const name = f.get('name');
  switch (f.get('t')) {
    case 'attached': {
      const m = mux(f.get('mux'));
      const others = int(f.get('others'));
      const created = f.get('created');
      const expired = (f.get('expired') ?? '').split(/\s+/).filter((n) => n !== '');
      if (!name || !m || others === null || (created !== '0' && created !== '1')) return unknown;
      if (!expired.every(isValidSessionName)) return unknown;
      const report: Extract<ShimReport, { t: 'attached' }> = { t: 'attached', name, mux: m, created: created === '1', others };
      if (expired.length > 0) report.expired = expired;
      return report;
    }
    case 'exit': {
      const status = int(f.get('status'));
      return status === null ? unknown : { t: 'exit', status };
    }
    case 'detached':
      return { t: 'detached' };
    case 'text':
      return { t: 'text' };
    case 'gone':
      return { t: 'gone' };
    case 'error': {
      const code = f.get('code') as ShimErrorCode | undefined;
      if (!code || !ERROR_CODES.includes(code)) return unknown;
      const detail = f.get('detail');
      const report: ShimReport = { t: 'error', code, message: f.get('message') ?? code };
      if (detail) report.detail = detail;
      return report;
    }
    case 'session': {
      const m = mux(f.get('mux'));
      const created = int(f.get('created'));
      const state = f.get('state');
      if (!name || !m || created === null || (state !== 'attached' && state !== 'detached')) return unknown;
      return { t: 'session', name, state, created, command: f.get('command') ?? '', mux: m };
    }
    case 'killed':
      return name ? { t: 'killed', name } : unknown;
    case 'probe':
      return { t: 'probe', tmux: f.get('tmux') || null, screen: f.get('screen') || null };
    default:
      return unknown;
  }
}
