// Flat config: typescript-eslint's recommended rules on everything we ship and test, and
// the layer rule on src/ (scripts/eslint/layers.mjs; docs/ARCHITECTURE.md, "Layers").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layers from './scripts/eslint/layers.mjs';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The build and test scripts run on Node: its globals.
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { layers },
    rules: { 'layers/direction': 'error' },
  },
);
