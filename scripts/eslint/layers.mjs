// ESLint rule `layers/direction`: a module under src/ imports only from its own layer or
// a lower one (docs/ARCHITECTURE.md, "Layers"). Lowest first; one row is one layer, and
// folders on one row may not import each other (they are independent of one another).
import { dirname, relative, resolve, sep } from 'node:path';

export const LAYERS = [
  ['errors.ts'],
  ['contracts'],
  ['config', 'core'],
  ['credentials'],
  ['transport'],
  ['remote', 'terminal', 'platform'],
  ['forward'],
  ['engine'],
  ['session', 'stream'],
  ['demo'],
  ['api.ts', 'cli'],
];

const rankOf = new Map(LAYERS.flatMap((row, rank) => row.map((part) => [part, rank])));

/** The top-level part of a path under src/ (a folder, or a file at src/'s root), or undefined. */
function partOf(srcRoot, file) {
  const rel = relative(srcRoot, file);
  if (rel.startsWith('..') || rel === '') return undefined;
  return rel.split(sep)[0].replace(/\.js$/, '.ts');
}

const direction = {
  meta: {
    type: 'problem',
    docs: { description: 'imports follow the layers: never up, never sideways between independent folders' },
    messages: {
      up: "{{from}}/ is below {{to}}/ in the layers: it may not import '{{spec}}' (docs/ARCHITECTURE.md)",
      sideways: "{{from}}/ and {{to}}/ are independent layers: '{{spec}}' may not be imported here (docs/ARCHITECTURE.md)",
      unknown: "{{from}} is in no layer: add it to LAYERS in scripts/eslint/layers.mjs",
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const srcRoot = resolve(context.cwd, 'src');
    const from = partOf(srcRoot, file);
    if (from === undefined) return {};
    const fromRank = rankOf.get(from);
    const check = (node, spec) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      if (fromRank === undefined) return context.report({ node, messageId: 'unknown', data: { from } });
      const to = partOf(srcRoot, resolve(dirname(file), spec));
      if (to === undefined || to === from) return;
      const toRank = rankOf.get(to);
      if (toRank === undefined || toRank > fromRank) return context.report({ node, messageId: 'up', data: { from, to, spec } });
      if (toRank === fromRank) context.report({ node, messageId: 'sideways', data: { from, to, spec } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default { rules: { direction } };
