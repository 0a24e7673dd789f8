import { readFile } from 'node:fs/promises';
import { BenchError } from './errors.js';
import { formatCount } from './format.js';

/** Tasks per status in a tracker file, by parsing every line (a string match could be fooled by a description). */
export async function countStatuses(issuesFile: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const text = await readFile(issuesFile, 'utf8');
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const status = String((JSON.parse(line) as { status?: unknown }).status);
    counts.set(status, (counts.get(status) ?? 0) + 1);
  }
  return counts;
}

/**
 * Throws unless every task is closed now, `opened` of them having been open before the run;
 * the message says how many the run closed. Returns that number.
 */
export async function expectAllClosed(issuesFile: string, tasks: number, opened: number): Promise<number> {
  const counts = await countStatuses(issuesFile);
  const closedNow = counts.get('closed') ?? 0;
  const closedByRun = closedNow - (tasks - opened);
  if (closedNow !== tasks) {
    const others = [...counts].filter(([status]) => status !== 'closed').map(([status, n]) => `${formatCount(n)} ${status}`);
    throw new BenchError('BENCH_VERIFY', `${formatCount(closedByRun)} of ${formatCount(opened)} open tasks closed (${others.join(', ')} left)`);
  }
  return closedByRun;
}
