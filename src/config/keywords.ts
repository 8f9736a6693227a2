/**
 * Every keyword OpenSSH 9.x's ssh_config(5) parser accepts (readconf.c `keywords[]`), so a
 * config written for `ssh` never breaks stayssh. Keys are lower-case (keywords are
 * case-insensitive); values are the canonical spelling, aliases map to their target.
 */

/** Keywords stayssh acts on (or must understand to parse the file: Host, Match, Include...). */
const USED = [
  'Host', 'Match', 'Include', 'IgnoreUnknown', 'Tag',
  'HostName', 'User', 'Port', 'IdentityFile', 'IdentitiesOnly', 'IdentityAgent', 'CertificateFile',
  'ProxyJump', 'ProxyCommand', 'HostKeyAlias', 'UserKnownHostsFile', 'GlobalKnownHostsFile',
  'StrictHostKeyChecking', 'HashKnownHosts', 'ServerAliveInterval', 'ServerAliveCountMax',
  'ConnectTimeout', 'BatchMode', 'PasswordAuthentication', 'PubkeyAuthentication',
  'KbdInteractiveAuthentication', 'PreferredAuthentications', 'ForwardAgent', 'LocalForward',
  'RemoteForward', 'DynamicForward', 'ClearAllForwardings', 'ExitOnForwardFailure', 'RequestTTY',
  'SendEnv', 'SetEnv', 'EscapeChar', 'LogLevel', 'AddressFamily', 'RevokedHostKeys',
  'Compression', 'GatewayPorts', 'BindAddress',
] as const;

/** Valid OpenSSH keywords stayssh accepts and ignores (named under -v). */
const IGNORED = [
  'AddKeysToAgent', 'BindInterface', 'CanonicalDomains', 'CanonicalizeFallbackLocal',
  'CanonicalizeHostname', 'CanonicalizeMaxDots', 'CanonicalizePermittedCNAMEs',
  'CASignatureAlgorithms', 'ChannelTimeout', 'CheckHostIP', 'Ciphers',
  'ConnectionAttempts', 'ControlMaster', 'ControlPath', 'ControlPersist',
  'EnableEscapeCommandline', 'EnableSSHKeysign', 'FingerprintHash', 'ForkAfterAuthentication',
  'ForwardX11', 'ForwardX11Timeout', 'ForwardX11Trusted',
  'GSSAPIAuthentication', 'GSSAPIDelegateCredentials', 'HostbasedAcceptedAlgorithms',
  'HostbasedAuthentication', 'HostKeyAlgorithms', 'IPQoS', 'KbdInteractiveDevices',
  'KexAlgorithms', 'KnownHostsCommand', 'LocalCommand', 'LogVerbose', 'MACs',
  'NoHostAuthenticationForLocalhost', 'NumberOfPasswordPrompts', 'ObscureKeystrokeTiming',
  'PermitLocalCommand', 'PermitRemoteOpen', 'PKCS11Provider', 'ProxyUseFdpass',
  'PubkeyAcceptedAlgorithms', 'RekeyLimit', 'RemoteCommand', 'RequiredRSASize',
  'SecurityKeyProvider', 'SessionType', 'StdinNull', 'StreamLocalBindMask',
  'StreamLocalBindUnlink', 'SyslogFacility', 'TCPKeepAlive', 'Tunnel', 'TunnelDevice',
  'UpdateHostKeys', 'VerifyHostKeyDNS', 'VersionAddendum', 'VisualHostKey', 'XAuthLocation',
  // Deprecated or unsupported, still accepted by OpenSSH with at most a warning.
  'Protocol', 'Cipher', 'FallBackToRsh', 'GlobalKnownHostsFile2', 'RhostsAuthentication',
  'UserKnownHostsFile2', 'UseRoaming', 'UseRsh', 'UsePrivilegedPort', 'AFSTokenPassing',
  'KerberosAuthentication', 'KerberosTGTPassing', 'RSAAuthentication',
  'RhostsRSAAuthentication', 'CompressionLevel',
  // Debian/Fedora GSSAPI key-exchange patch: present in stock /etc/ssh/ssh_config files.
  'GSSAPIKeyExchange', 'GSSAPIClientIdentity', 'GSSAPIServerIdentity',
  'GSSAPIRenewalForcesRekey', 'GSSAPITrustDNS', 'GSSAPIKexAlgorithms',
] as const;

/** Old names OpenSSH still maps onto a current keyword. */
const ALIASES: Record<string, string> = {
  challengeresponseauthentication: 'KbdInteractiveAuthentication',
  skeyauthentication: 'KbdInteractiveAuthentication',
  tisauthentication: 'KbdInteractiveAuthentication',
  dsaauthentication: 'PubkeyAuthentication',
  identityfile2: 'IdentityFile',
  keepalive: 'TCPKeepAlive',
  pubkeyacceptedkeytypes: 'PubkeyAcceptedAlgorithms',
  hostbasedkeytypes: 'HostbasedAcceptedAlgorithms',
  smartcarddevice: 'PKCS11Provider',
};

const CANONICAL = new Map<string, string>();
for (const k of [...USED, ...IGNORED]) CANONICAL.set(k.toLowerCase(), k);
for (const [alias, target] of Object.entries(ALIASES)) CANONICAL.set(alias, target);

const IGNORED_SET = new Set<string>(IGNORED);

/** The canonical spelling of an ssh_config keyword, or undefined when OpenSSH would reject it. */
export function canonicalKeyword(keyword: string): string | undefined {
  return CANONICAL.get(keyword.toLowerCase());
}

/** True for a valid keyword that stayssh accepts without acting on it. */
export function isIgnoredKeyword(canonical: string): boolean {
  return IGNORED_SET.has(canonical);
}

/** Every accepted spelling, lower-case (for tests and shell completion). */
export function allKeywords(): string[] {
  return [...CANONICAL.keys()];
}

/**
 * The keywords stayssh acts on that make sense as `-o Keyword=value` (not the block
 * keywords Host, Match and Include, nor ProxyCommand, which is refused), in their canonical
 * spelling: what `stayssh -o <TAB>` offers (cli/completion.ts).
 */
export function settableKeywords(): string[] {
  const structural = new Set(['Host', 'Match', 'Include', 'ProxyCommand']);
  return USED.filter((k) => !structural.has(k));
}
