import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseOptionArg } from '../../src/config/option-arg.js';
import { allKeywords, canonicalKeyword, isIgnoredKeyword } from '../../src/config/keywords.js';
import { StaysshError } from '../../src/errors.js';

describe('parseOptionArg', () => {
  it('accepts Key=Value, "Key Value", Key = Value and canonicalises the keyword', () => {
    assert.deepEqual(parseOptionArg('Port=2222'), ['Port', '2222']);
    assert.deepEqual(parseOptionArg('port 2222'), ['Port', '2222']);
    assert.deepEqual(parseOptionArg('  STRICTHOSTKEYCHECKING = accept-new  '), ['StrictHostKeyChecking', 'accept-new']);
    assert.deepEqual(parseOptionArg('hostname\t=\texample.org'), ['HostName', 'example.org']);
  });

  it('keeps the value in config syntax (quotes, several arguments) for the resolver', () => {
    assert.deepEqual(parseOptionArg('IdentityFile="/my keys/id"'), ['IdentityFile', '"/my keys/id"']);
    assert.deepEqual(parseOptionArg('UserKnownHostsFile /a /b'), ['UserKnownHostsFile', '/a /b']);
    assert.deepEqual(parseOptionArg('SetEnv FOO="a b"'), ['SetEnv', 'FOO="a b"']);
  });

  it('maps deprecated aliases onto their keyword', () => {
    assert.deepEqual(parseOptionArg('ChallengeResponseAuthentication=no'), ['KbdInteractiveAuthentication', 'no']);
    assert.deepEqual(parseOptionArg('PubkeyAcceptedKeyTypes +ssh-rsa'), ['PubkeyAcceptedAlgorithms', '+ssh-rsa']);
    assert.deepEqual(parseOptionArg('UseRoaming no'), ['UseRoaming', 'no']);
  });

  it('refuses unknown keywords with one line naming the option', () => {
    assert.throws(() => parseOptionArg('Bogus yes'), (err: unknown) => {
      assert.ok(err instanceof StaysshError);
      assert.equal(err.message, 'command-line line 0: -o "Bogus yes": unknown option "Bogus"');
      return true;
    });
  });

  it('refuses a keyword without a value, an empty option and an open quote', () => {
    assert.throws(() => parseOptionArg('Port'), /command-line line 0: -o "Port": no argument after keyword "Port"/);
    assert.throws(() => parseOptionArg('Port='), /no argument after keyword "Port"/);
    assert.throws(() => parseOptionArg('Port= # comment'), /no argument after keyword "Port"/);
    assert.throws(() => parseOptionArg(''), /missing keyword/);
    assert.throws(() => parseOptionArg('=yes'), /missing keyword/);
    assert.throws(() => parseOptionArg('IdentityFile "/a b'), /unterminated quote/);
  });

  it('refuses Host, Match and Include, which only make sense in a file', () => {
    assert.throws(() => parseOptionArg('Host foo'), /Host is not supported as a command-line option/);
    assert.throws(() => parseOptionArg('Match all'), /Match is not supported/);
    assert.throws(() => parseOptionArg('Include /etc/passwd'), /Include is not supported/);
  });
});

describe('keyword table', () => {
  it('knows every ssh_config(5) keyword of OpenSSH 9.x, case-insensitively', () => {
    const names = [
      'AddKeysToAgent', 'AddressFamily', 'BatchMode', 'BindAddress', 'BindInterface', 'CanonicalDomains',
      'CanonicalizeFallbackLocal', 'CanonicalizeHostname', 'CanonicalizeMaxDots', 'CanonicalizePermittedCNAMEs',
      'CASignatureAlgorithms', 'CertificateFile', 'ChannelTimeout', 'CheckHostIP', 'Ciphers', 'ClearAllForwardings',
      'Compression', 'ConnectionAttempts', 'ConnectTimeout', 'ControlMaster', 'ControlPath', 'ControlPersist',
      'DynamicForward', 'EnableEscapeCommandline', 'EnableSSHKeysign', 'EscapeChar', 'ExitOnForwardFailure',
      'FingerprintHash', 'ForkAfterAuthentication', 'ForwardAgent', 'ForwardX11', 'ForwardX11Timeout',
      'ForwardX11Trusted', 'GatewayPorts', 'GlobalKnownHostsFile', 'GSSAPIAuthentication',
      'GSSAPIDelegateCredentials', 'HashKnownHosts', 'Host', 'HostbasedAcceptedAlgorithms',
      'HostbasedAuthentication', 'HostKeyAlgorithms', 'HostKeyAlias', 'Hostname', 'IdentitiesOnly', 'IdentityAgent',
      'IdentityFile', 'IgnoreUnknown', 'Include', 'IPQoS', 'KbdInteractiveAuthentication', 'KbdInteractiveDevices',
      'KexAlgorithms', 'KnownHostsCommand', 'LocalCommand', 'LocalForward', 'LogLevel', 'LogVerbose', 'MACs', 'Match',
      'NoHostAuthenticationForLocalhost', 'NumberOfPasswordPrompts', 'ObscureKeystrokeTiming',
      'PasswordAuthentication', 'PermitLocalCommand', 'PermitRemoteOpen', 'PKCS11Provider', 'Port',
      'PreferredAuthentications', 'ProxyCommand', 'ProxyJump', 'ProxyUseFdpass', 'PubkeyAcceptedAlgorithms',
      'PubkeyAuthentication', 'RekeyLimit', 'RemoteCommand', 'RemoteForward', 'RequestTTY', 'RequiredRSASize',
      'RevokedHostKeys', 'SecurityKeyProvider', 'SendEnv', 'ServerAliveCountMax', 'ServerAliveInterval',
      'SessionType', 'SetEnv', 'StdinNull', 'StreamLocalBindMask', 'StreamLocalBindUnlink', 'StrictHostKeyChecking',
      'SyslogFacility', 'TCPKeepAlive', 'Tag', 'Tunnel', 'TunnelDevice', 'UpdateHostKeys', 'User',
      'UserKnownHostsFile', 'VerifyHostKeyDNS', 'VisualHostKey', 'XAuthLocation',
      'ChallengeResponseAuthentication', 'PubkeyAcceptedKeyTypes', 'HostbasedKeyTypes', 'KeepAlive', 'UseRoaming',
    ];
    for (const name of names) {
      assert.ok(canonicalKeyword(name) !== undefined, name);
      assert.ok(canonicalKeyword(name.toUpperCase()) !== undefined, name);
    }
    assert.ok(allKeywords().length > names.length);
    assert.equal(canonicalKeyword('Bogus'), undefined);
  });

  it('tells keywords stayssh acts on from those it only accepts', () => {
    assert.equal(isIgnoredKeyword('ControlMaster'), true);
    assert.equal(isIgnoredKeyword('ForwardX11'), true);
    assert.equal(isIgnoredKeyword('IdentityFile'), false);
    assert.equal(isIgnoredKeyword('ServerAliveInterval'), false);
  });
});
