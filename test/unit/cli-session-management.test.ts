// --list's table, --kill's forms and the checks on what goes with what
// (docs/BEHAVIOUR.md §1, §7), and the logger's line ends (clean output into a pipe).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from '../../src/cli/parse-args.js';
import { formatAge, formatLocalTime, formatSessionTable, type SessionInfo } from '../../src/cli/manage.js';
import { makeLogger } from '../../src/cli/logger.js';

const parse = (...argv: string[]) => parseArgs(argv, '0.0.0');

describe('--kill forms', () => {
  it('takes names from repeated --kill and from the words after the destination', () => {
    assert.deepEqual(parse('--kill', 'a', 'host').kill, ['a']);
    assert.deepEqual(parse('--kill', 'a', '--kill', 'b', 'host').kill, ['a', 'b']);
    assert.deepEqual(parse('host', '--kill', 'a', 'b', 'c').kill, ['a', 'b', 'c']);
    assert.deepEqual(parse('--kill', 'a', 'host', 'b').kill, ['a', 'b']);
    assert.equal(parse('--kill', 'a', 'host').destination, 'host');
    assert.equal(parse('host').kill, undefined);
  });

  it('--kill --detached [--older-than AGE] names no session', () => {
    const prune = parse('--kill', '--detached', '--older-than', '2w', 'host');
    assert.deepEqual([prune.kill, prune.killDetached, prune.olderThanMs, prune.destination], [[], true, 14 * 86_400_000, 'host']);
    const all = parse('host', '--kill', '--detached');
    assert.deepEqual([all.kill, all.killDetached, all.olderThanMs], [[], true, 0]);
  });

  const refused: Array<[string[], RegExp]> = [
    [['host', '--json'], /^--json goes with --list only$/],
    [['--list', '--kill', 'a', 'host'], /^--list and --kill cannot be combined$/],
    [['--detached', 'host'], /^--detached goes with --kill only/],
    [['--kill', 'a', '--older-than', '1d', 'host'], /^--older-than needs --kill --detached$/],
    [['--kill', '--detached', '--older-than', '1y', 'host'], /^--older-than: invalid duration "1y"/],
    [['host', '--kill', '--detached', 'a'], /^--kill --detached chooses sessions by their state: name none \(got a\)$/],
    [['host', '--kill'], /^--kill needs a session name \(or --detached\)$/],
  ];
  for (const [argv, message] of refused) {
    it(`refuses ${argv.join(' ')}`, () => {
      assert.throws(() => parse(...argv), (err: Error & { exitCode?: number }) => {
        assert.match(err.message, message);
        assert.equal(err.exitCode, 255);
        return true;
      });
    });
  }
});

describe('the --list table', () => {
  it('ages: just now, minutes, hours, days, rounded down', () => {
    assert.deepEqual([0, 59, 60, 3_599, 3_600, 86_399, 86_400, 30 * 86_400, -5].map(formatAge), [
      'just now', 'just now', '1m ago', '59m ago', '1h ago', '23h ago', '1d ago', '30d ago', 'just now',
    ]);
  });

  it('local time to the minute, local time zone', () => {
    assert.equal(formatLocalTime(new Date(2025, 0, 4, 7, 5, 59)), '2025-01-04 07:05');
  });

  it('NAME STATE CREATED HOST COMMAND, aligned, the command last and whole', () => {
    const now = new Date(2025, 5, 10, 12, 0, 0);
    const at = (d: Date) => Math.floor(d.getTime() / 1000);
    const s = (name: string, created: Date, command: string): SessionInfo => ({
      name, host: 'lab', state: 'detached', created: created.toISOString(), createdEpoch: at(created), command, mux: 'tmux',
    });
    const table = formatSessionTable([s('old', new Date(2025, 5, 7, 11, 30), 'make  all'), s('s-1', new Date(2025, 5, 10, 11, 59, 30), '')], now);
    assert.equal(table, [
      'NAME  STATE     CREATED                      HOST  COMMAND',
      'old   detached  2025-06-07 11:30 (3d ago)    lab   make  all',
      's-1   detached  2025-06-10 11:59 (just now)  lab   (login shell)',
    ].join('\n'));
  });
});

describe('the logger', () => {
  const capture = (isTTY: boolean) => {
    let text = '';
    const stream = Object.assign({ write: (s: string) => ((text += s), true) }, { isTTY }) as unknown as NodeJS.WritableStream;
    return { log: makeLogger(stream, false, 1), text: () => text };
  };

  it('ends lines in LF alone when stderr is not a terminal', () => {
    const c = capture(false);
    c.log.warn('two\nlines');
    c.log.debug('detail');
    assert.equal(c.text(), 'two\nlines\ndebug1: detail\n');
  });

  it('in CR LF on a terminal (which may be raw)', () => {
    const c = capture(true);
    c.log.warn('two\nlines');
    assert.equal(c.text(), 'two\r\nlines\r\n');
  });
});
