// The build's shell compactor (scripts/shell-compactor.mjs): each newline becomes what it
// means to sh there (`;` or a space), comments go, and what cannot be put on one line
// safely is refused. Every sample runs both ways under dash, bash and busybox sh.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { SHELLS, compactor, installed, requireTool } from './server-scripts-helpers.js';

const compact = (source: string) => compactor.compactShell(source, 'sample');

/** Programs whose every line ending is a different case of the rules. */
const SAMPLES: Record<string, string> = {
  'comments, and # that is none': [
    '# a comment line',
    'x=abc/def # a trailing comment',
    'echo "a # b" \'#c\' d#e ${#x} $# ${x##*/}   # more',
    '  # an indented comment',
  ].join('\n'),
  'reserved words only as the first word of a command': [
    'if [ -n "$HOME" ]',
    'then',
    '  echo then',
    'elif false; then echo no',
    'else',
    '  echo else',
    'fi',
    'for w in do done',
    'do',
    '  echo done',
    '  echo $w',
    'done',
    'while false; do :; done',
    'echo in',
    '! false && echo !',
  ].join('\n'),
  'case arms in every layout': [
    'for v in a b c d; do',
    '  case $v in',
    '    a)',
    '      echo first',
    '      ;;',
    '    b | c) echo second ;;',
    '    (d)',
    '      case $v in',
    '        d) echo nested;;',
    '      esac',
    '  esac',
    'done',
  ].join('\n'),
  'functions, groups, subshells, pipes and background jobs': [
    'greet() {',
    '  echo "hi $1"',
    '}',
    'greet you |',
    '  tr a-z A-Z',
    '(',
    '  cd /',
    '  pwd',
    ')',
    '{ echo a; echo b; } | wc -l',
    'sleep 0 &',
    'wait $!',
    'true &&',
    '  echo and ||',
    '  echo or',
    'x=$(echo sub; echo stitution) y=$((1 + 2))',
    'echo "$x" $y',
  ].join('\n'),
};

for (const [name, source] of Object.entries(SAMPLES)) {
  describe(`compacting: ${name}`, () => {
    it('gives one line', () => {
      const line = compact(source);
      assert.ok(!line.includes('\n'), line);
    });
    for (const shell of SHELLS) {
      it(`runs the same under ${shell.name}`, (t) => {
        if (!requireTool(t, shell.name, installed(shell.argv))) return;
        const run = (text: string) => spawnSync(shell.argv[0]!, [...shell.argv.slice(1), '-c', text], { encoding: 'utf8' });
        const original = run(source);
        const compacted = run(compact(source));
        assert.equal(original.status, 0, original.stderr);
        assert.deepEqual({ status: compacted.status, stdout: compacted.stdout, stderr: compacted.stderr }, { status: 0, stdout: original.stdout, stderr: '' });
      });
    }
  });
}

describe('compacting: the joints', () => {
  it('joins complete commands with ; and line breaks with a space', () => {
    assert.equal(compact('a\nb'), 'a;b');
    assert.equal(compact('if a\nthen\nb\nfi\nc'), 'if a;then b;fi;c');
    assert.equal(compact('a &\nb'), 'a & b');
    assert.equal(compact('a |\nb &&\nc ||\nd'), 'a | b && c || d');
    assert.equal(compact('f() {\n  a\n}'), 'f() { a;}');
    assert.equal(compact('case $x in\n  a)\n    b\n    ;;\nesac'), 'case $x in a) b ;; esac');
    assert.equal(compact('echo done\necho then'), 'echo done;echo then');
  });

  it('keeps what looks like a comment inside words, quotes and expansions', () => {
    assert.equal(compact("echo a#b '# x' \"# y\" ${#1} $# # z"), "echo a#b '# x' \"# y\" ${#1} $#");
  });
});

describe('compacting refuses what it cannot put on one line', () => {
  const refusals: Record<string, string> = {
    'a backslash': 'echo a\\\nb',
    'a backslash in quotes': "printf '\\n'",
    'a backquote': 'x=`date`',
    'a here-document': 'cat <<EOF\nx\nEOF',
    'a single quote left open': "echo 'a\nb'",
    'a double quote left open': 'echo "a\nb"',
    'a command substitution left open': 'x=$(\necho a\n)',
    'case inside $(...)': 'x=$(case a in a) echo;; esac)',
    "$'...'": "echo $'x'",
    'a redirection without its target': 'echo a >\nfile',
    'a case head over two lines': 'case $x\nin a) b;; esac',
    'a case left open': 'case $x in\na) b;;',
  };
  for (const [what, source] of Object.entries(refusals)) {
    it(what, () => {
      assert.throws(() => compact(source), (e: Error) => e instanceof compactor.CompactError && /^sample/.test(e.message));
    });
  }
  it('names the file and line', () => {
    assert.throws(() => compactor.compactShell('a\nb\necho `c`', 'x.sh'), (e: Error) => /^x\.sh:3: backquote/.test(e.message));
  });
});
