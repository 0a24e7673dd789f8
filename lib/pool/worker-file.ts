import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ChorusError } from '../errors.js';

/**
 * A compiled entry in `workers/` (the thread entry `agent-worker`, the process entry `agent-host`).
 * Compiled, this code sits in `dist/lib/pool/*.js`, or bundled into `dist/bin/chorus.js`,
 * `dist/workers/agent-worker.js` or a shared chunk in `dist/`, and the entry is `dist/workers/<name>.js`; run from TypeScript
 * source (vitest), Node 20 cannot start a `.ts` entry, so the compiled one in the repository's
 * `dist/` is used.
 */
export function resolveWorkerFile(moduleUrl: string = import.meta.url, name = 'agent-worker'): string {
  const compiled = moduleUrl.endsWith('.js');
  const candidates = compiled ? [`../../workers/${name}.js`, `../workers/${name}.js`, `./${name}.js`, `./workers/${name}.js`] : [`../../dist/workers/${name}.js`];
  const paths = candidates.map((relative) => fileURLToPath(new URL(relative, moduleUrl)));
  const path = paths.find((candidate) => existsSync(candidate)) ?? paths[0]!;
  if (!existsSync(path)) {
    throw new ChorusError(
      'CHORUS_WORKER_MISSING',
      `the compiled ${name} ${path} is missing; build chorus first (npx tsc -p tsconfig.json)`,
    );
  }
  return path;
}
