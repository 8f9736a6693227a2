import { StaysshError } from '../errors.js';
import type { DynamicForwardSpec, ForwardSpec } from './types.js';

/**
 * -L / -R / -D specifications, as ssh(1) writes them:
 *   -L/-R  [bind_address:]port:host:hostport   (IPv6 addresses in [brackets])
 *   -D     [bind_address:]port
 * Unix-domain socket forms are refused: stayssh forwards TCP only.
 */

export type ForwardKind = 'local' | 'remote';

/** Splits on ':' outside [brackets], removing the brackets (OpenSSH parse_fwd_field). */
function splitFields(spec: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  while (i <= spec.length) {
    if (spec[i] === '[') {
      const close = spec.indexOf(']', i);
      if (close < 0) return null;
      const after = spec[close + 1];
      if (after !== undefined && after !== ':') return null;
      fields.push(spec.slice(i + 1, close));
      i = close + 2;
      if (after === undefined) break;
      continue;
    }
    const colon = spec.indexOf(':', i);
    const end = colon < 0 ? spec.length : colon;
    fields.push(spec.slice(i, end));
    i = end + 1;
    if (colon < 0) break;
  }
  return fields;
}

function parsePort(text: string, min: number): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const n = Number(text);
  return n >= min && n <= 65535 ? n : null;
}

/** '' and '*' both mean every interface (ssh(1)); keep '*' so the forwarder sees one form. */
function bindOf(field: string): string {
  return field === '' ? '*' : field;
}

/** Parses `[bind_address:]port:host:hostport`; StaysshError names the spec and the fault. */
export function parseForwardSpec(spec: string, kind: ForwardKind): ForwardSpec {
  const fail = (why: string): never => {
    throw new StaysshError(`bad ${kind} forwarding specification "${spec}": ${why}`);
  };
  const expected = 'expected [bind_address:]port:host:hostport';
  const fields = splitFields(spec.trim());
  if (fields === null) return fail('unbalanced [brackets]');
  if (fields.some((f) => f.includes('/'))) return fail('Unix-domain socket forwarding is not supported');
  if (fields.length !== 3 && fields.length !== 4) return fail(expected);
  const [bind, listen, host, hostPort] = fields.length === 4 ? fields : [undefined, ...fields];
  // Port 0 lets the server pick a port for -R (ssh prints it); a local listener needs one.
  const listenPort = parsePort(listen ?? '', kind === 'remote' ? 0 : 1);
  if (listenPort === null) return fail(`invalid listen port "${listen ?? ''}"`);
  if (host === undefined || host === '') return fail(`missing host (${expected})`);
  const connectPort = parsePort(hostPort ?? '', 1);
  if (connectPort === null) return fail(`invalid port "${hostPort ?? ''}"`);
  const result: ForwardSpec = { listenPort, connectHost: host, connectPort };
  if (bind !== undefined) result.bindAddress = bindOf(bind);
  return result;
}

/** Parses `[bind_address:]port` for -D / DynamicForward. */
export function parseDynamicSpec(spec: string): DynamicForwardSpec {
  const fail = (why: string): never => {
    throw new StaysshError(`bad dynamic forwarding specification "${spec}": ${why}`);
  };
  const fields = splitFields(spec.trim());
  if (fields === null) return fail('unbalanced [brackets]');
  if (fields.length !== 1 && fields.length !== 2) return fail('expected [bind_address:]port');
  const [bind, listen] = fields.length === 2 ? fields : [undefined, fields[0]];
  const listenPort = parsePort(listen ?? '', 1);
  if (listenPort === null) return fail(`invalid port "${listen ?? ''}"`);
  const result: DynamicForwardSpec = { listenPort };
  if (bind !== undefined) result.bindAddress = bindOf(bind);
  return result;
}
