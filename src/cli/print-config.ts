/**
 * `stayssh -G` (docs/BEHAVIOUR.md §1): the configuration resolved for a destination, as
 * `ssh -G` prints it: lower-case `keyword value` lines, one per option (one per value for
 * the options that accumulate), in ssh's spelling of the values, without connecting.
 * Only the options stayssh resolves are printed: a keyword it ignores is not shown as if
 * it took effect. IdentityFile paths are shown expanded (`ssh -G` keeps a leading `~`).
 */
import type { DynamicForwardSpec, ForwardSpec, ResolvedSshConfig } from '../config/types.js';

const yesNo = (b: boolean | undefined): string => (b === true ? 'yes' : 'no');
const trueFalse = (b: boolean): string => (b ? 'true' : 'false');

/** `[addr]:` before a port, as ssh prints a forward's address part. */
const bracketed = (host: string): string => `[${host}]`;

function listenPart(spec: { bindAddress?: string; listenPort: number }): string {
  return spec.bindAddress === undefined ? String(spec.listenPort) : `${bracketed(spec.bindAddress)}:${spec.listenPort}`;
}

const forward = (f: ForwardSpec): string => `${listenPart(f)} ${bracketed(f.connectHost)}:${f.connectPort}`;
const dynamic = (f: DynamicForwardSpec): string => listenPart(f);

/** EscapeChar as ssh -G writes it: the character, `none`, or `\^X` for a control character. */
function escapeChar(c: string): string {
  if (c === 'none' || c.length !== 1 || c.charCodeAt(0) >= 32) return c;
  return `\\^${String.fromCharCode(c.charCodeAt(0) + 64)}`;
}

const STRICT: Readonly<Record<ResolvedSshConfig['strictHostKeyChecking'], string>> = {
  yes: 'true', no: 'false', ask: 'ask', 'accept-new': 'accept-new',
};
const REQUEST_TTY: Readonly<Record<ResolvedSshConfig['requestTTY'], string>> = {
  yes: 'true', no: 'false', auto: 'auto', force: 'force',
};

/** Pairs of `keyword value`; `defaults` gives the cipher and MAC lists used when -c/-m are absent. */
export function configLines(cfg: ResolvedSshConfig, defaults: { ciphers: readonly string[]; macs: readonly string[] }): string[] {
  const lines: Array<[string, string | number]> = [
    ['host', cfg.originalHost],
    ['user', cfg.user],
    ['hostname', cfg.hostName],
    ['port', cfg.port],
    ['addressfamily', cfg.addressFamily],
    ['batchmode', yesNo(cfg.batchMode)],
    ['compression', yesNo(cfg.compression)],
    ['exitonforwardfailure', yesNo(cfg.exitOnForwardFailure)],
    ['gatewayports', yesNo(cfg.gatewayPorts)],
    ['hashknownhosts', yesNo(cfg.hashKnownHosts)],
    ['identitiesonly', yesNo(cfg.identitiesOnly)],
    ['kbdinteractiveauthentication', yesNo(cfg.kbdInteractiveAuthentication)],
    ['passwordauthentication', yesNo(cfg.passwordAuthentication)],
    ['pubkeyauthentication', trueFalse(cfg.pubkeyAuthentication)],
    ['requesttty', REQUEST_TTY[cfg.requestTTY]],
    ['stricthostkeychecking', STRICT[cfg.strictHostKeyChecking]],
    ['serveralivecountmax', cfg.serverAliveCountMax],
    ['serveraliveinterval', cfg.serverAliveInterval],
  ];
  if (cfg.bindAddress !== undefined) lines.push(['bindaddress', cfg.bindAddress]);
  lines.push(['ciphers', (cfg.ciphers ?? defaults.ciphers).join(',')]);
  if (cfg.hostKeyAlias !== undefined) lines.push(['hostkeyalias', cfg.hostKeyAlias]);
  if (cfg.identityAgent !== undefined) lines.push(['identityagent', cfg.identityAgent]);
  lines.push(['loglevel', cfg.logLevel]);
  lines.push(['macs', (cfg.macs ?? defaults.macs).join(',')]);
  lines.push(['preferredauthentications', cfg.preferredAuthentications.join(',')]);
  if (cfg.revokedHostKeys !== undefined) lines.push(['revokedhostkeys', cfg.revokedHostKeys]);
  for (const f of cfg.dynamicForwards) lines.push(['dynamicforward', dynamic(f)]);
  for (const f of cfg.localForwards) lines.push(['localforward', forward(f)]);
  for (const f of cfg.remoteForwards) lines.push(['remoteforward', forward(f)]);
  for (const path of cfg.identityFiles) lines.push(['identityfile', path]);
  lines.push(['globalknownhostsfile', cfg.globalKnownHostsFiles.join(' ')]);
  lines.push(['userknownhostsfile', cfg.userKnownHostsFiles.join(' ')]);
  for (const name of cfg.sendEnv) lines.push(['sendenv', name]);
  for (const [name, value] of cfg.setEnv) lines.push(['setenv', `${name}=${value}`]);
  lines.push(['forwardagent', cfg.forwardAgentSocket ?? yesNo(cfg.forwardAgent)]);
  lines.push(['connecttimeout', cfg.connectTimeout ?? 'none']);
  lines.push(['escapechar', escapeChar(cfg.escapeChar)]);
  if (cfg.proxyJump !== undefined) lines.push(['proxyjump', cfg.proxyJump]);
  return lines.map(([k, v]) => `${k} ${v}`);
}
