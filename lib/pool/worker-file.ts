import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ChorusError } from '../errors.js';

/**
 * A compiled entry in `workers/` (the thread entry `agent-worker`, the process entry `agent-host`).
 * Compiled, this module is `dist/lib/pool/*.js` and the entry sits at `dist/workers/<name>.js`;
 * run from TypeScript source (vitest), Node 20 cannot start a `.ts` entry, so the compiled one at
 * the repository root's `dist/` is used.
 */
export function resolveWorkerFile(moduleUrl: string = import.meta.url, name = 'agent-worker'): string {
  const compiled = moduleUrl.endsWith('.js');
  const url = new URL(compiled ? `../../workers/${name}.js` : `../../dist/workers/${name}.js`, moduleUrl);
  const path = fileURLToPath(url);
  if (!existsSync(path)) {
    throw new ChorusError(
      'CHORUS_WORKER_MISSING',
      `the compiled ${name} ${path} is missing; build chorus first (npx tsc -p tsconfig.json)`,
    );
  }
  return path;
}
