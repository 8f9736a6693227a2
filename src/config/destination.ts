import { StaysshError } from '../errors.js';

export interface Destination {
  user?: string;
  host: string;
  port?: number;
}

/**
 * Host names that could be mistaken for options or smuggle shell syntax into a
 * ProxyCommand are refused, as OpenSSH 9.x does for names from the command line.
 */
function checkHost(host: string, dest: string): string {
  if (host === '') throw new StaysshError(`invalid destination "${dest}": empty host name`);
  if (host.startsWith('-')) throw new StaysshError(`invalid destination "${dest}": host name starts with '-'`);
  // eslint-disable-next-line no-control-regex
  if (/[\s'"`\\$;&|<>(){}\x00-\x1f\x7f]/.test(host)) {
    throw new StaysshError(`invalid destination "${dest}": host name contains invalid characters`);
  }
  return host;
}

/** Strips [brackets] from an IPv6 literal. */
function unbracket(host: string, dest: string): string {
  if (!host.startsWith('[')) return host;
  if (!host.endsWith(']')) throw new StaysshError(`invalid destination "${dest}": unbalanced [brackets]`);
  return host.slice(1, -1);
}

function checkUser(user: string, dest: string): string {
  if (user === '') throw new StaysshError(`invalid destination "${dest}": empty user name`);
  return user;
}

/** `ssh://[user@]host[:port][/]`, OpenSSH parse_uri(): the user part may be %-encoded. */
function parseUri(dest: string): Destination {
  const body = dest.slice('ssh://'.length).replace(/\/$/, '');
  if (body.includes('/')) throw new StaysshError(`invalid destination "${dest}": a path is not allowed`);
  const at = body.lastIndexOf('@');
  const result: Destination = { host: '' };
  if (at >= 0) {
    let user: string;
    try {
      user = decodeURIComponent(body.slice(0, at));
    } catch {
      throw new StaysshError(`invalid destination "${dest}": malformed %-escape in user name`);
    }
    // ssh://user;fingerprint=...@host parameters are not supported (nor by OpenSSH).
    if (user.includes(';')) throw new StaysshError(`invalid destination "${dest}": URI parameters are not supported`);
    result.user = checkUser(user, dest);
  }
  let hostPort = body.slice(at + 1);
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) throw new StaysshError(`invalid destination "${dest}": unbalanced [brackets]`);
    const after = hostPort.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) throw new StaysshError(`invalid destination "${dest}": junk after ]`);
    portText = after === '' ? undefined : after.slice(1);
    hostPort = hostPort.slice(1, close);
  } else {
    const colon = hostPort.indexOf(':');
    if (colon >= 0) {
      portText = hostPort.slice(colon + 1);
      hostPort = hostPort.slice(0, colon);
    }
  }
  result.host = checkHost(hostPort, dest);
  if (portText !== undefined) {
    const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) throw new StaysshError(`invalid destination "${dest}": bad port "${portText}"`);
    result.port = port;
  }
  return result;
}

/** `[user@]host` or `ssh://[user@]host[:port]`; the user is what precedes the last '@'. */
export function parseDestination(dest: string): Destination {
  if (dest.toLowerCase().startsWith('ssh://')) return parseUri(dest);
  const at = dest.lastIndexOf('@');
  const host = checkHost(unbracket(dest.slice(at + 1), dest), dest);
  return at >= 0 ? { user: checkUser(dest.slice(0, at), dest), host } : { host };
}
