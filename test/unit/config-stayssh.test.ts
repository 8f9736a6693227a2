import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/errors.js';
import { loadStaysshConfig, staysshConfigPath } from '../../src/config/stayssh-config.js';

function configFile(content: string): { path: string; home: string } {
  const home = mkdtempSync(join(tmpdir(), 'stayssh-own-'));
  const path = join(home, '.config', 'stayssh', 'config');
  mkdirSync(join(home, '.config', 'stayssh'), { recursive: true });
  writeFileSync(path, content);
  return { path, home };
}

describe('staysshConfigPath', () => {
  it('uses an absolute $XDG_CONFIG_HOME, else ~/.config', () => {
    assert.equal(staysshConfigPath({ XDG_CONFIG_HOME: '/xdg' }, '/home/a'), '/xdg/stayssh/config');
    assert.equal(staysshConfigPath({}, '/home/a'), '/home/a/.config/stayssh/config');
    assert.equal(staysshConfigPath({ XDG_CONFIG_HOME: 'relative' }, '/home/a'), '/home/a/.config/stayssh/config');
  });
});

describe('loadStaysshConfig', () => {
  const realistic = [
    '# stayssh settings',
    'Host prod-*',
    '  Session ops',
    '  Mux tmux',
    '  MaxAttempts 20',
    '  GiveUpAfter 1h30m',
    '  OnGiveUp notify-send "gave up on $STAYSSH_HOST"',
    '',
    'Host *',
    '  mux = screen',
    '  BackoffMax 10s',
    '  OnDisconnect logger -t stayssh down',
    '  OnReconnect logger -t stayssh up',
    '  Events ~/stayssh-events.jsonl',
    '  Remember yes',
    '  SessionIdleExpiry 2w',
  ].join('\n');

  it('reads per-host settings, first value wins, durations in ms', () => {
    const { path, home } = configFile(realistic);
    assert.deepEqual(loadStaysshConfig('prod-db', path, home), {
      session: 'ops', mux: 'tmux', maxAttempts: 20, giveUpAfterMs: 5_400_000,
      onGiveUp: 'notify-send "gave up on $STAYSSH_HOST"',
      backoffMaxMs: 10_000, onDisconnect: 'logger -t stayssh down', onReconnect: 'logger -t stayssh up',
      events: join(home, 'stayssh-events.jsonl'), remember: true, sessionIdleExpiryMs: 14 * 86_400_000,
    });
    const dev = loadStaysshConfig('dev', path, home);
    assert.equal(dev.mux, 'screen');
    assert.equal(dev.session, undefined);
  });

  it('a missing file is empty', () => {
    assert.deepEqual(loadStaysshConfig('h', join(tmpdir(), 'no-such-stayssh-config'), '/home/x'), {});
  });

  it('a file that group or others may write is refused: its hooks run in a shell', () => {
    for (const mode of [0o664, 0o646]) {
      const { path, home } = configFile('OnDisconnect notify-send down\n');
      chmodSync(path, mode);
      assert.throws(() => loadStaysshConfig('h', path, home), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /:0: bad permissions: writable by group or others/);
        return true;
      });
      chmodSync(path, 0o644);
      assert.deepEqual(loadStaysshConfig('h', path, home), { onDisconnect: 'notify-send down' });
    }
  });

  it('an unreadable path is an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stayssh-own-dir-'));
    assert.throws(() => loadStaysshConfig('h', dir, dir), { message: `${dir}:0: cannot read config file: is a directory` });
  });

  const errors: Array<[string, string]> = [
    ['Host *\n  Bogus 1\n', '2: unknown keyword "Bogus"'],
    ['Mux zellij\n', '1: invalid value "zellij" for Mux (expected auto, tmux, screen)'],
    ['Session "bad name"\n', `1: invalid session name "bad name": use letters, digits, '.', '_' or '-' (at most 64, starting with a letter or digit)`],
    ['MaxAttempts 0\n', '1: invalid MaxAttempts "0" (expected a whole number, at least 1)'],
    ['MaxAttempts many\n', '1: invalid MaxAttempts "many" (expected a whole number, at least 1)'],
    ['GiveUpAfter soon\n', '1: invalid duration "soon": use e.g. 90s, 10m, 2h or 1h30m'],
    ['BackoffMax 0s\n', '1: BackoffMax must be longer than 0'],
    ['SessionIdleExpiry 500ms\n', '1: SessionIdleExpiry must be at least 1s'],
    ['SessionIdleExpiry forever\n', '1: invalid duration "forever": use e.g. 90s, 10m, 2h or 1h30m'],
    ['Remember maybe\n', '1: invalid value "maybe" for Remember (expected yes, no)'],
    ['\n\nSession\n', '3: no argument after keyword "Session"'],
    ['Session a b\n', '1: Session takes exactly one value'],
    ['Events "open\n', '1: unterminated quote'],
    ['Match all\n  Mux tmux\n', '1: Match is not supported in the stayssh config file: use Host'],
  ];
  for (const [content, expected] of errors) {
    it(`error: ${expected}`, () => {
      const { path, home } = configFile(content);
      assert.throws(() => loadStaysshConfig('h', path, home), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.message, `${path}:${expected}`);
        return true;
      });
    });
  }

  it('bad values in blocks for other hosts are still reported', () => {
    const { path, home } = configFile('Host elsewhere\n  Mux nope\n');
    assert.throws(() => loadStaysshConfig('h', path, home), /config:2: invalid value "nope" for Mux/);
  });
});
