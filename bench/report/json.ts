import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Machine } from '../machine.js';
import type { Plan } from '../plan.js';
import type { Row } from '../row.js';

export interface BenchResults {
  machine: Machine;
  mode: Plan['mode'];
  plan: Plan;
  /** Every row with every raw run (GNU time's figures and what was checked). */
  rows: Row[];
  totalS: number;
  exitRule: string;
  exitCode: number;
}

export async function writeResults(file: string, results: BenchResults): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
}
