import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync } from 'node:fs';
import { ConfigError, StaysshError } from '../../src/errors.js';
import { tempHome, resolveIn } from '../harness/config-home.js';

/** Resolving `host` with `config` as ~/.ssh/config fails with exactly `file:line: message`. */
function failsWith(config: string, line: number, message: string | RegExp, host = 'h'): void {
  const t = tempHome();
  t.write('.ssh/config', config);
  assert.throws(() => resolveIn(t, host), (err: unknown) => {
    assert.ok(err instanceof ConfigError, String(err));
    const prefix = `${t.userConfig}:${line}: `;
    assert.ok(err.message.startsWith(prefix), `${err.message} should start with ${prefix}`);
    const rest = err.message.slice(prefix.length);
    if (typeof message === 'string') assert.equal(rest, message);
    else assert.match(rest, message);
    assert.ok(!err.message.includes('\n'), 'one line');
    return true;
  });
}

describe('ssh_config errors name file:line', () => {
  it('unknown keyword', () => failsWith('Port 22\n\nBogus yes\n', 3, 'unknown configuration keyword "Bogus"'));
  it('keyword without value', () => failsWith('Host h\n  User\n', 2, 'no argument after keyword "User"'));
  it('keyword with only a comment', () => failsWith('User # nobody\n', 1, 'no argument after keyword "User"'));
  it('open quote', () => failsWith('IdentityFile "/a b\n', 1, 'unterminated quote'));
  it('bad boolean', () => failsWith('BatchMode maybe\n', 1, 'invalid value "maybe" for BatchMode (expected yes, no)'));
  it('bad enum', () => failsWith('StrictHostKeyChecking sometimes\n', 1, /invalid value "sometimes" for StrictHostKeyChecking/));
  it('bad port', () => failsWith('Port 70000\n', 1, 'bad port "70000"'));
  it('bad number', () => failsWith('ServerAliveCountMax three\n', 1, 'invalid number "three" for ServerAliveCountMax'));
  it('bad time', () => failsWith('ServerAliveInterval 5 minutes\n', 1, 'keyword ServerAliveInterval extra arguments at end of line'));
  it('bad time unit', () => failsWith('ConnectTimeout 5y\n', 1, 'invalid time value "5y" for ConnectTimeout'));
  it('extra arguments', () => failsWith('User a b\n', 1, 'keyword User extra arguments at end of line'));
  it('bad escape char', () => failsWith('EscapeChar ab\n', 1, /bad escape character "ab"/));
  it('bad LocalForward', () => failsWith('LocalForward 8080\n', 1, /LocalForward needs two arguments/));
  it('LocalForward colon form is command-line only', () => failsWith('LocalForward 8080:h:80\n', 1, /needs two arguments/));
  it('bad forward port', () => failsWith('LocalForward 8080 h:0\n', 1, 'bad local forwarding specification "8080:h:0": invalid port "0"'));
  it('remote dynamic forward', () => failsWith('RemoteForward 1080\n', 1, /remote dynamic forwarding\) is not supported/));
  it('bad DynamicForward', () => failsWith('DynamicForward x\n', 1, /bad dynamic forwarding specification "x"/));
  it('bad SetEnv', () => failsWith('SetEnv FOO\n', 1, 'invalid SetEnv "FOO" (expected NAME=VALUE)'));
  it('bad SendEnv', () => failsWith('SendEnv A=b\n', 1, 'invalid environment name "A=b" for SendEnv'));
  it('bad ProxyJump', () => failsWith('ProxyJump a,,b\n', 1, 'invalid ProxyJump "a,,b"'));
  it('bad LogLevel', () => failsWith('LogLevel loud\n', 1, /invalid value "loud" for LogLevel/));
  it('unknown Match attribute', () => failsWith('Match hostname x\n', 1, 'unsupported Match attribute hostname'));
  it('Match criterion without argument', () => failsWith('Match host\n', 1, 'missing Match criteria for host'));
  it('Match all combined', () => failsWith('Match all host x\n', 1, "'all' cannot be combined with other Match attributes"));
  it('unknown token, at the line that set it', () => failsWith('\nIdentityFile ~/.ssh/%z\n', 2, /IdentityFile .*unknown token %z/));
  it('unset ${VAR}', () => failsWith('IdentityFile ${NOPE}/id\n', 1, /environment variable NOPE is not set/));
  it('bad token in HostName', () => failsWith('HostName %p.example\n', 1, /HostName .*unknown token %p/));

  it('errors in inactive blocks are still errors, like OpenSSH', () => {
    failsWith('Host other\n  Port nope\n', 2, 'bad port "nope"');
    failsWith('Host other\n  Bogus 1\n', 2, 'unknown configuration keyword "Bogus"');
  });

  it('IgnoreUnknown only covers keywords after it and matching it', () => {
    failsWith('UseKeychain yes\nIgnoreUnknown UseKeychain\n', 1, 'unknown configuration keyword "UseKeychain"');
    failsWith('IgnoreUnknown Use*\nOther yes\n', 2, 'unknown configuration keyword "Other"');
  });

  it('an unreadable ~/.ssh/config is an error, not silence', () => {
    const t = tempHome();
    if (process.getuid?.() === 0) {
      // root reads any mode: a directory where the file should be is unreadable for root too.
      mkdirSync(t.userConfig, { recursive: true });
      assert.throws(() => resolveIn(t, 'h'), /cannot read config file/);
      return;
    }
    t.write('.ssh/config', 'Port 1\n');
    chmodSync(t.userConfig, 0o000);
    assert.throws(() => resolveIn(t, 'h'), /cannot read config file: permission denied/);
  });

  it('errors in the system file name the system file', () => {
    const t = tempHome();
    t.write('etc-ssh/ssh_config', 'Host *\n  Port x\n');
    assert.throws(() => resolveIn(t, 'h'), { message: `${t.systemConfig}:2: bad port "x"` });
  });
});

describe('command-line pairs', () => {
  const t = tempHome();
  const cli = (pairs: Array<[string, string]>) => resolveIn(t, 'h', { commandLine: pairs });

  it('bad values are StaysshErrors in OpenSSH form "command-line line 0: ..."', () => {
    assert.throws(() => cli([['Port', 'abc']]), (err: unknown) => {
      assert.ok(err instanceof StaysshError);
      assert.equal(err.message, 'command-line line 0: bad port "abc"');
      return true;
    });
    assert.throws(() => cli([['BatchMode', 'perhaps']]), /^StaysshError: command-line line 0: invalid value "perhaps" for BatchMode/);
    assert.throws(() => cli([['LocalForward', '80']]), /^StaysshError: command-line line 0: bad local forwarding specification "80"/);
    assert.throws(() => cli([['Bogus', 'x']]), /command-line line 0: unknown option "Bogus"/);
    assert.throws(() => cli([['Host', 'x']]), /Host is not supported as a command-line option/);
    assert.throws(() => cli([['User', '']]), /no argument after keyword "User"/);
    assert.throws(() => cli([['User', 'a b']]), /keyword User extra arguments at end of line/);
    assert.throws(() => cli([['IdentityFile', '/k/%q']]), /command-line line 0: IdentityFile .*unknown token %q/);
  });
});
