// The sshd_config text for a harness sshd. Pure: settings in, text out; sshd.ts owns I/O.

export interface SshdConfigInput {
  port: number;
  hostKeyPaths: string[];
  authorizedKeysPath: string;
  user: string;
  passwordAuthentication: boolean;
  kbdInteractiveAuthentication: boolean;
  usePam: boolean;
  acceptEnv: string[];
  /** Variables every session gets (sshd SetEnv, applied after HOME/USER/PATH: it overrides). */
  setEnv: Record<string, string>;
  /** OpenSSH >= 9.8 penalises sources that fail auth; tests fail auth on purpose. */
  disablePenalties: boolean;
  extraLines: string[];
}

export function renderSshdConfig(c: SshdConfigInput): string {
  const yn = (b: boolean) => (b ? 'yes' : 'no');
  const lines = [
    '# Written by the stayssh test harness; see test/harness/sshd.ts.',
    `Port ${c.port}`,
    'ListenAddress 127.0.0.1',
    'AddressFamily inet',
    ...c.hostKeyPaths.map((p) => `HostKey ${p}`),
    'PidFile none',
    'LogLevel VERBOSE',
    `AuthorizedKeysFile ${c.authorizedKeysPath}`,
    // The temp dir belongs to root (or the test user), not to the login user.
    'StrictModes no',
    `AllowUsers ${c.user}`,
    'PubkeyAuthentication yes',
    `PasswordAuthentication ${yn(c.passwordAuthentication)}`,
    `KbdInteractiveAuthentication ${yn(c.kbdInteractiveAuthentication)}`,
    'PermitEmptyPasswords no',
    `UsePAM ${yn(c.usePam)}`,
    // Tests try several wrong credentials in a row on purpose.
    'MaxAuthTries 20',
    'AllowAgentForwarding yes',
    'AllowTcpForwarding yes',
    'GatewayPorts no',
    'X11Forwarding no',
    'PrintMotd no',
    'PrintLastLog no',
    'UseDNS no',
    // Many parallel dials in reconnect tests; defaults (10:30:100, 10) would drop some.
    'MaxStartups 100',
    'MaxSessions 50',
    // The server never probes the client: liveness is the client's job under test.
    'ClientAliveInterval 0',
    'Subsystem sftp internal-sftp',
  ];
  if (c.acceptEnv.length > 0) lines.push(`AcceptEnv ${c.acceptEnv.join(' ')}`);
  const setEnv = Object.entries(c.setEnv).map(([k, v]) => `${k}=${quote(v)}`);
  if (setEnv.length > 0) lines.push(`SetEnv ${setEnv.join(' ')}`);
  if (c.disablePenalties) lines.push('PerSourcePenalties no');
  lines.push(...c.extraLines);
  return `${lines.join('\n')}\n`;
}

// sshd_config accepts double-quoted arguments; our values are paths and ids.
function quote(value: string): string {
  if (/^[A-Za-z0-9_./:@%+,-]*$/.test(value)) return value;
  if (/["\n]/.test(value)) throw new Error(`SetEnv value not representable in sshd_config: ${value}`);
  return `"${value}"`;
}
