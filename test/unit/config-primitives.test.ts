import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { quoteConfigArg, splitArgs, splitKeyword, LexError } from '../../src/config/config-lexer.js';
import { hostLineMatches, matchPattern, matchPatternList } from '../../src/config/patterns.js';
import { expandEnv, expandTilde, expandTokens, ExpansionError } from '../../src/config/tokens.js';
import { parseDuration } from '../../src/config/durations.js';
import { SESSION_NAME_RE, validateSessionName } from '../../src/contracts/session-name.js';
import { parseDestination } from '../../src/config/destination.js';
import { parseDynamicSpec, parseForwardSpec } from '../../src/config/forward-spec.js';
import { parseEscapeChar, parseTimeSeconds } from '../../src/config/option-values.js';

describe('config lexer', () => {
  it('splits keyword from value at whitespace or one "="', () => {
    assert.deepEqual(splitKeyword('  Port 22'), { keyword: 'Port', rest: '22' });
    assert.deepEqual(splitKeyword('Port=22'), { keyword: 'Port', rest: '22' });
    assert.deepEqual(splitKeyword('Port = 22 \r'), { keyword: 'Port', rest: '22' });
    assert.deepEqual(splitKeyword('SetEnv A==b'), { keyword: 'SetEnv', rest: 'A==b' });
    assert.equal(splitKeyword('   '), null);
    assert.equal(splitKeyword('  # Port 22'), null);
  });

  it('splits arguments like OpenSSH argv_split: quotes, escapes, comments', () => {
    assert.deepEqual(splitArgs('a "b c" \'d e\''), ['a', 'b c', 'd e']);
    assert.deepEqual(splitArgs('x"y z"w'), ['xy zw']);
    assert.deepEqual(splitArgs('a\\ b \\"q\\" c\\d'), ['a b', '"q"', 'c\\d']);
    assert.deepEqual(splitArgs('22 # the port'), ['22']);
    assert.deepEqual(splitArgs('"#not a comment" x#y'), ['#not a comment', 'x#y']);
    assert.deepEqual(splitArgs('""'), ['']);
    assert.throws(() => splitArgs('"open'), LexError);
  });

  it('quoteConfigArg round-trips through splitArgs', () => {
    for (const v of ['plain', '/my keys/id', 'quote"inside', "it's", 'back\\slash', '#hash', '']) {
      assert.deepEqual(splitArgs(quoteConfigArg(v)), [v], v);
    }
  });
});

describe('patterns', () => {
  it('matches * and ? over the whole string', () => {
    assert.ok(matchPattern('web1.example.com', '*.example.com'));
    assert.ok(matchPattern('web1', 'web?'));
    assert.ok(!matchPattern('web12', 'web?'));
    assert.ok(matchPattern('abcabc', '*abc'));
    assert.ok(matchPattern('', '*'));
    assert.ok(!matchPattern('example.com.evil', '*.example.com'));
    assert.ok(!matchPattern('Web1', 'web1'));
  });

  it('pattern lists: comma separated, ! vetoes, optional case folding', () => {
    assert.equal(matchPatternList('a.example.com', '*.example.com,!b.example.com', true), 'match');
    assert.equal(matchPatternList('b.example.com', '*.example.com,!b.example.com', true), 'negated');
    assert.equal(matchPatternList('c.other', '*.example.com', true), 'none');
    assert.equal(matchPatternList('A.Example.COM', '*.example.com', true), 'match');
    assert.equal(matchPatternList('Root', 'root', false), 'none');
  });

  it('Host lines: any pattern matches, a negated match makes the line fail', () => {
    assert.ok(hostLineMatches('db1', ['web*', 'db*']));
    assert.ok(!hostLineMatches('db-old', ['db*', '!db-old']));
    assert.ok(!hostLineMatches('db-old', ['!db-old', 'db*']));
    assert.ok(!hostLineMatches('web', ['!db*']), 'only negations never match');
  });
});

describe('tokens', () => {
  it('expands %x and %%, refuses unknown tokens', () => {
    assert.equal(expandTokens('%r@%h:%p 100%%', { r: 'bob', h: 'example.org', p: '22' }), 'bob@example.org:22 100%');
    assert.throws(() => expandTokens('%z', {}), (e: unknown) => e instanceof ExpansionError && /unknown token %z/.test(e.message));
    assert.throws(() => expandTokens('50%', {}), /'%' at end/);
  });

  it('expands ${VAR}, refusing unset variables', () => {
    assert.equal(expandEnv('${HOME}/x', { HOME: '/h' }), '/h/x');
    assert.throws(() => expandEnv('${NOPE}/x', {}), /NOPE is not set/);
  });

  it('expands a leading ~ for the local user only', () => {
    assert.equal(expandTilde('~/.ssh/id', '/home/a', 'a'), '/home/a/.ssh/id');
    assert.equal(expandTilde('~', '/home/a', 'a'), '/home/a');
    assert.equal(expandTilde('~a/x', '/home/a', 'a'), '/home/a/x');
    assert.equal(expandTilde('~bob/x', '/home/a', 'a'), '~bob/x');
    assert.equal(expandTilde('/x/~/y', '/home/a', 'a'), '/x/~/y');
  });
});

describe('value syntax', () => {
  it('time values as OpenSSH convtime: bare seconds and s/m/h/d/w units', () => {
    assert.equal(parseTimeSeconds('X', '30'), 30);
    assert.equal(parseTimeSeconds('X', '1m30s'), 90);
    assert.equal(parseTimeSeconds('X', '2H'), 7200);
    assert.equal(parseTimeSeconds('X', '1w'), 604800);
    assert.throws(() => parseTimeSeconds('ConnectTimeout', '10x'), /invalid time value "10x" for ConnectTimeout/);
    assert.throws(() => parseTimeSeconds('X', '-5'), /invalid time value/);
  });

  it('escape characters: one char, ^X control, none', () => {
    assert.equal(parseEscapeChar('~'), '~');
    assert.equal(parseEscapeChar('^A'), '\x01');
    assert.equal(parseEscapeChar('^]'), '\x1d');
    assert.equal(parseEscapeChar('NONE'), 'none');
    assert.throws(() => parseEscapeChar('ab'), /bad escape character "ab"/);
    assert.throws(() => parseEscapeChar('^1'), /bad escape character/);
  });
});

describe('parseDuration', () => {
  it('reads ms, s, m, h, d, w and combinations; a bare number is seconds', () => {
    assert.equal(parseDuration('7d'), 7 * 86_400_000);
    assert.equal(parseDuration('2w'), 14 * 86_400_000);
    assert.equal(parseDuration('1w1d'), 8 * 86_400_000);
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('10m'), 600_000);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('1m500ms'), 60_500);
    assert.equal(parseDuration('45'), 45_000);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('2H'), 7_200_000);
  });

  it('refuses anything else with one line', () => {
    for (const bad of ['', 'abc', '10 m', '-5s', '5x', 'h', '1h30', 's10']) {
      assert.throws(() => parseDuration(bad), /^StaysshError: invalid duration .*use e\.g\. 90s, 10m, 2h or 1h30m$/, bad);
    }
  });
});

describe('session names', () => {
  it('accepts letters, digits, . _ - up to 64, starting alphanumeric', () => {
    for (const ok of ['work', 'a', 'build-2.x_y', 'A'.repeat(64), '9lives']) {
      assert.doesNotThrow(() => validateSessionName(ok));
      assert.ok(SESSION_NAME_RE.test(ok));
    }
  });

  it('refuses the rest with a one-line message', () => {
    for (const bad of ['', '-x', '.hidden', 'a b', 'a;rm -rf', 'é', 'A'.repeat(65), 'x/y', "a'b"]) {
      assert.throws(() => validateSessionName(bad), /^StaysshError: invalid session name .*: use letters, digits/, bad);
    }
  });
});

describe('parseDestination', () => {
  it('reads [user@]host, the user being what precedes the last @', () => {
    assert.deepEqual(parseDestination('example.org'), { host: 'example.org' });
    assert.deepEqual(parseDestination('bob@example.org'), { user: 'bob', host: 'example.org' });
    assert.deepEqual(parseDestination('bob@corp@example.org'), { user: 'bob@corp', host: 'example.org' });
    assert.deepEqual(parseDestination('[::1]'), { host: '::1' });
  });

  it('reads ssh://[user@]host[:port], IPv6 in brackets, %-encoded users', () => {
    assert.deepEqual(parseDestination('ssh://example.org'), { host: 'example.org' });
    assert.deepEqual(parseDestination('ssh://bob@example.org:2222/'), { user: 'bob', host: 'example.org', port: 2222 });
    assert.deepEqual(parseDestination('ssh://[2001:db8::1]:22'), { host: '2001:db8::1', port: 22 });
    assert.deepEqual(parseDestination('SSH://b%40c@h'), { user: 'b@c', host: 'h' });
  });

  it('refuses empty hosts, bad ports and hosts that look like options or shell', () => {
    assert.throws(() => parseDestination(''), /invalid destination "": empty host name/);
    assert.throws(() => parseDestination('bob@'), /empty host name/);
    assert.throws(() => parseDestination('@host'), /empty user name/);
    assert.throws(() => parseDestination('ssh://'), /empty host name/);
    assert.throws(() => parseDestination('ssh://h:0'), /bad port "0"/);
    assert.throws(() => parseDestination('ssh://h:99999'), /bad port/);
    assert.throws(() => parseDestination('ssh://h:x'), /bad port "x"/);
    assert.throws(() => parseDestination('ssh://h/path'), /a path is not allowed/);
    assert.throws(() => parseDestination('-oProxyCommand=x'), /starts with '-'/);
    assert.throws(() => parseDestination('h;reboot'), /invalid characters/);
    assert.throws(() => parseDestination('ssh://[::1'), /unbalanced/);
  });
});

describe('forward specs', () => {
  it('parses port:host:hostport and bind:port:host:hostport', () => {
    assert.deepEqual(parseForwardSpec('8080:localhost:80', 'local'), { listenPort: 8080, connectHost: 'localhost', connectPort: 80 });
    assert.deepEqual(parseForwardSpec('127.0.0.1:8080:db:5432', 'local'),
      { bindAddress: '127.0.0.1', listenPort: 8080, connectHost: 'db', connectPort: 5432 });
    assert.deepEqual(parseForwardSpec('*:8080:db:5432', 'remote').bindAddress, '*');
    assert.deepEqual(parseForwardSpec(':8080:db:5432', 'local').bindAddress, '*', 'empty bind means all interfaces');
  });

  it('parses [IPv6] addresses on both sides', () => {
    assert.deepEqual(parseForwardSpec('[::1]:8080:[2001:db8::2]:80', 'local'),
      { bindAddress: '::1', listenPort: 8080, connectHost: '2001:db8::2', connectPort: 80 });
    assert.deepEqual(parseForwardSpec('8080:[::1]:80', 'local'), { listenPort: 8080, connectHost: '::1', connectPort: 80 });
  });

  it('allows listen port 0 for remote forwards only', () => {
    assert.equal(parseForwardSpec('0:localhost:80', 'remote').listenPort, 0);
    assert.throws(() => parseForwardSpec('0:localhost:80', 'local'), /bad local forwarding specification "0:localhost:80": invalid listen port "0"/);
  });

  it('refuses malformed specs with one line naming the spec', () => {
    assert.throws(() => parseForwardSpec('8080', 'local'), /^StaysshError: bad local forwarding specification "8080": expected \[bind_address:\]port:host:hostport$/);
    assert.throws(() => parseForwardSpec('8080:h', 'remote'), /bad remote forwarding specification/);
    assert.throws(() => parseForwardSpec('x:h:80', 'local'), /invalid listen port "x"/);
    assert.throws(() => parseForwardSpec('8080:h:70000', 'local'), /invalid port "70000"/);
    assert.throws(() => parseForwardSpec('8080::80', 'local'), /missing host/);
    assert.throws(() => parseForwardSpec('[::1:8080:h:80', 'local'), /unbalanced/);
    assert.throws(() => parseForwardSpec('/tmp/sock:h:80', 'local'), /Unix-domain socket forwarding is not supported/);
  });

  it('parses dynamic specs', () => {
    assert.deepEqual(parseDynamicSpec('1080'), { listenPort: 1080 });
    assert.deepEqual(parseDynamicSpec('localhost:1080'), { bindAddress: 'localhost', listenPort: 1080 });
    assert.deepEqual(parseDynamicSpec('[::1]:1080'), { bindAddress: '::1', listenPort: 1080 });
    assert.throws(() => parseDynamicSpec('a:b:1080'), /bad dynamic forwarding specification "a:b:1080": expected \[bind_address:\]port/);
    assert.throws(() => parseDynamicSpec('0'), /invalid port "0"/);
  });
});
