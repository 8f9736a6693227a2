// The layers are enforced, not only drawn: `npm run lint` fails on an import against the
// direction (scripts/eslint/layers.mjs; docs/ARCHITECTURE.md, "Layers").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

async function layerErrors(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: repo });
  const [result] = await eslint.lintText(code, { filePath: `${repo}${file}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'layers/direction').map((m) => m.message);
}

test('an upward import fails lint: the transport may not import the CLI', async () => {
  const errors = await layerErrors('src/transport/upward.ts', "import type { CliOptions } from '../cli/options.js';\nexport type X = CliOptions;\n");
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0] ?? '', /transport\/ is below cli\//);
});

test('the pure core may not reach for I/O: core/ importing engine/ or platform/ fails', async () => {
  const errors = await layerErrors(
    'src/core/impure.ts',
    "import { Engine } from '../engine/engine.js';\nimport { systemClock } from '../platform/clock.js';\nexport const x = [Engine, systemClock];\n",
  );
  assert.equal(errors.length, 2, errors.join('\n'));
});

test('independent folders of one layer may not import each other: stream/ and session/', async () => {
  const errors = await layerErrors('src/stream/sideways.ts', "import { InteractiveSession } from '../session/interactive.js';\nexport const x = InteractiveSession;\n");
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0] ?? '', /independent layers/);
});

test('downward imports and imports within a folder pass', async () => {
  const errors = await layerErrors(
    'src/stream/fine.ts',
    "import { Engine } from '../engine/engine.js';\nimport { runStream } from './stream-session.js';\nimport type { Connection } from '../transport/connection.js';\nexport const x: [unknown, unknown, Connection | undefined] = [Engine, runStream, undefined];\n",
  );
  assert.deepEqual(errors, []);
});
