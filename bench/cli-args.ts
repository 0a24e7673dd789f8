import { parseArgs } from 'node:util';
import { BenchError } from './errors.js';

export interface BenchArgs {
  quick: boolean;
  /** Where the JSON results go; null for the default. */
  jsonFile: string | null;
  /** Scenario names to run, in suite order; all when none are named. */
  scenarios: string[];
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [--quick] [--json FILE] [SCENARIO...]

  --quick      smaller sizes and fewer runs (CI); pass/fail is shown, but only an error fails
  --json FILE  write the results there (default bench/out/results.json)
  SCENARIO     any of: %s (default: all)`;

export function parseBenchArgs(argv: string[], known: readonly string[]): BenchArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { quick: { type: 'boolean', default: false }, json: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (cause) {
    throw new BenchError('BENCH_USAGE', `${(cause as Error).message}\n${USAGE.replace('%s', known.join(', '))}`, { cause });
  }
  const unknown = parsed.positionals.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new BenchError('BENCH_USAGE', `unknown scenario ${unknown.map((n) => `"${n}"`).join(', ')}: pick from ${known.join(', ')}`);
  }
  const picked = new Set(parsed.positionals);
  return {
    quick: parsed.values.quick ?? false,
    jsonFile: parsed.values.json ?? null,
    scenarios: picked.size === 0 ? [...known] : known.filter((name) => picked.has(name)),
    help: parsed.values.help ?? false,
  };
}
