// What must not drift (issue 21): every option the parser accepts is in `--help`, in the
// man page and in the three completion scripts; `--completion` refuses a shell it has no
// script for with one line and 255; and package.json's dependencies are exactly what the
// shipped code imports (ora was a dependency nothing imported: docs/DECISIONS.md).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildProgram, COMPLETION_SHELLS, HELP_FOOTER, HELP_WIDTH } from '../../src/cli/program.js';
import { completionScript, optionSpecs } from '../../src/cli/completion.js';
import { parseArgs } from '../../src/cli/parse-args.js';
import { StaysshError } from '../../src/errors.js';
import { CHECKOUT_DIR } from '../harness/requirements.js';

const program = buildProgram('0.0.0-test');
const flags = optionSpecs(program).flatMap((s) => s.flags);
const manPage = readFileSync(join(CHECKOUT_DIR, 'man', 'stayssh.1'), 'utf8');

describe('help, man page and completions name every option', () => {
  test('the option list is the parser\'s own, -h and --help included', () => {
    for (const f of ['-h', '--help', '-V', '--version', '-p', '--session', '--kill', '--list', '--completion', '--demo']) {
      assert.ok(flags.includes(f), `${f} missing from ${flags.join(' ')}`);
    }
  });

  test('--help', () => {
    const help = program.helpInformation();
    for (const f of flags) assert.match(help, new RegExp(`(^|[ ,])${f}([ ,]|$)`, 'm'), `${f} not in --help`);
    const wide = [...help.split('\n'), ...HELP_FOOTER.split('\n')].filter((l) => l.length > HELP_WIDTH);
    assert.deepEqual(wide, []);
  });

  test('the man page describes each one in an item of its own', () => {
    // `.TP` then `.B \-\-list` or `.BI \-p " port"`: the roff spelling of the flag.
    const tagged = new Set(
      [...manPage.matchAll(/^\.(?:TP|TQ)\n\.B[IR]? (.*)$/gm)].flatMap((m) => (m[1] ?? '').split(/[ ",]+/)).map((w) => w.replace(/\\-/g, '-')),
    );
    for (const f of flags) assert.ok(tagged.has(f), `${f} has no item in man/stayssh.1`);
  });

  test('each completion script', () => {
    for (const shell of COMPLETION_SHELLS) {
      const script = completionScript(shell, program);
      for (const f of flags) {
        const spelled = shell === 'fish' ? (f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`) : f;
        assert.ok(script.includes(spelled), `${shell}: ${f}`);
      }
    }
  });

  test('--completion with a shell it has no script for: one line, 255', () => {
    assert.throws(
      () => parseArgs(['--completion', 'tcsh'], '0.0.0-test'),
      (e: unknown) => e instanceof StaysshError && e.exitCode === 255 && !e.message.includes('\n') && /tcsh/.test(e.message),
    );
    assert.equal(parseArgs(['--completion', 'fish'], '0.0.0-test').completion, 'fish');
  });
});

describe('package.json', () => {
  const pkg = JSON.parse(readFileSync(join(CHECKOUT_DIR, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    files: string[];
    man: string[];
  };

  /** The packages src/ imports (bare specifiers, static or dynamic, not node:). */
  function importedPackages(): Set<string> {
    const found = new Set<string>();
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith('.ts')) {
          const text = readFileSync(path, 'utf8');
          for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|createRequire\([^)]*\)\(\s*)'([^'.][^']*)'/g)) {
            const spec = m[1] ?? '';
            if (spec.startsWith('node:')) continue;
            found.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec));
          }
        }
      }
    };
    walk(join(CHECKOUT_DIR, 'src'));
    return found;
  }

  test('the dependencies are exactly the packages the code imports', () => {
    // 'stayssh' is the library's own name, in a doc comment's example.
    const imported = [...importedPackages()].filter((p) => p !== 'stayssh').sort();
    assert.deepEqual(Object.keys(pkg.dependencies).sort(), imported);
  });

  test('the man page is installed and shipped', () => {
    assert.deepEqual(pkg.man, ['./man/stayssh.1']);
    assert.ok(pkg.files.includes('man/stayssh.1'));
    assert.ok(pkg.files.includes('LICENSE'));
  });
});
