#!/usr/bin/env node
// After tsc: bundles the entries that start a JavaScript engine (the CLI, the worker thread, the
// agent host process) into one file each, in place. Loading ~100 ES modules one by one (ours, zod's,
// commander's) cost a fresh chorus 50-60 ms of CPU before it did anything; see bench/README.md.
// Piscina stays outside: it starts its own worker script from a path next to its module. So do
// blessed and blessed-contrib (the dashboard's, loaded only by `chorus dashboard`): blessed
// requires its widgets by computed names and reads its terminfo files next to its own module.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry a content hash: without this, every build would leave the last one's chunks
// behind (and `npm pack` would ship them all).
rmSync('dist/chunks', { recursive: true, force: true });

/** What every bundle shares: ES modules for Node 20, written over tsc's output in place. */
const common = {
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
};

// Bundled CommonJS dependencies (proper-lockfile) call require() for Node's modules and read __filename.
const commonJsShim = {
  js: [
    "import { createRequire as __chorusCreateRequire } from 'node:module';",
    "import { fileURLToPath as __chorusFileURLToPath } from 'node:url';",
    'const require = __chorusCreateRequire(import.meta.url);',
    'const __filename = __chorusFileURLToPath(import.meta.url);',
    "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
  ].join(' '),
};

await build({
  ...common,
  entryPoints: ['dist/bin/chorus.js'],
  outdir: 'dist',
  outbase: 'dist',
  external: ['piscina', 'blessed', 'blessed-contrib'],
  // Code loaded only on some paths (zod, for a config file the quick check does not accept;
  // the commands) goes in chunks of its own, parsed only when imported.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  banner: commonJsShim,
});

// The worker thread's entry alone, sharing no chunk with the CLI: a worker thread that imported
// the ~20 chunks it shared with the CLI held 5.5 MB more resident memory (58.8 MB against 53.3 MB
// for a process with that one thread; issue 22, the output row) for the same code: each chunk is a
// module the thread's own loader compiles and keeps whole, even where the worker uses one function.
await build({
  ...common,
  entryPoints: ['dist/workers/agent-worker.js'],
  outfile: 'dist/workers/agent-worker.js',
  external: ['piscina'],
  banner: commonJsShim,
});

// The agent host, a process of its own started by every batch, alone too: with the CLI's chunks it
// would load four files where it needs one small one.
await build({
  ...common,
  entryPoints: ['dist/workers/agent-host.js'],
  outfile: 'dist/workers/agent-host.js',
});
