import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ChorusError } from '../errors.js';

/**
 * The compiled worker entry. Compiled, this module is `dist/lib/pool/*.js` and the worker sits at
 * `dist/workers/agent-worker.js`; run from TypeScript source (vitest), Node 20 cannot start a `.ts`
 * worker, so the compiled one at the repository root's `dist/` is used.
 */
export function resolveWorkerFile(moduleUrl: string = import.meta.url): string {
  const compiled = moduleUrl.endsWith('.js');
  const url = new URL(compiled ? '../../workers/agent-worker.js' : '../../dist/workers/agent-worker.js', moduleUrl);
  const path = fileURLToPath(url);
  if (!existsSync(path)) {
    throw new ChorusError(
      'CHORUS_WORKER_MISSING',
      `the compiled agent worker ${path} is missing; build chorus first (npx tsc -p tsconfig.json)`,
    );
  }
  return path;
}
