#!/usr/bin/env node
// Bundles the built CLI (dist/src/cli/main.js and the ~140 modules it imports, with
// commander and chalk) into one file, dist/stayssh.mjs, which bin/stayssh starts.
// Why: Node 20 resolves, reads, compiles and links every ES module on its own; for
// stayssh's module graph that took ~60 ms of every start (one file: 178 against 239 ms to
// load, Node's own start being ~85). `npm run build` runs it after `tsc`, and npm's
// prepare, the test runner and the bench run that. The library (`import { connect }
// from 'stayssh'`) and the tests keep using dist/src, unbundled.
//
// Left outside, loaded from node_modules at run time: ssh2 (transport/ssh2.ts loads it
// with createRequire under its pooled randomFillSync, and it finds its optional native
// crypto binding relative to itself), cpu-features (ssh2's native helper) and
// @napi-rs/keyring (a native module).
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/cli/main.js'],
  outfile: 'dist/stayssh.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['ssh2', 'cpu-features', '@napi-rs/keyring'],
  // Bundled CommonJS (commander) calls require() for Node's own modules: ESM has none.
  banner: { js: "import { createRequire as bundleRequire } from 'node:module'; const require = bundleRequire(import.meta.url);" },
  logLevel: 'warning',
});
