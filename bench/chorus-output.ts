/** What chorus printed: the `batch --json` event stream and the `ready --json` list. */
import { readFile } from 'node:fs/promises';
import { BenchError } from './errors.js';
import { formatCount } from './format.js';

export interface BatchFinished {
  closed: number;
  blocked: number;
  /** `tracker` of the batch.finished event: absent until chorus reports it. */
  tracker: { writes: number; bytesWritten: number } | null;
}

/** The last line of `chorus batch --json`: the batch.finished event. */
export async function readBatchFinished(stdoutFile: string): Promise<BatchFinished> {
  const lines = (await readFile(stdoutFile, 'utf8')).trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(last) as Record<string, unknown>;
  } catch (cause) {
    throw new BenchError('BENCH_VERIFY', `the last line of \`batch --json\` output is not JSON: ${JSON.stringify(last.slice(0, 120))}`, { cause });
  }
  if (event['type'] !== 'batch.finished') {
    throw new BenchError('BENCH_VERIFY', `the last line of \`batch --json\` output is a ${String(event['type'])} event, not batch.finished`);
  }
  const summary = (event['summary'] ?? {}) as { closed?: unknown[]; blocked?: unknown[]; tracker?: unknown };
  return {
    closed: summary.closed?.length ?? 0,
    blocked: summary.blocked?.length ?? 0,
    tracker: readTrackerStats(event['tracker'] ?? summary.tracker),
  };
}

function readTrackerStats(value: unknown): BatchFinished['tracker'] {
  if (typeof value !== 'object' || value === null) return null;
  const { writes, bytesWritten } = value as { writes?: unknown; bytesWritten?: unknown };
  if (typeof writes !== 'number' || typeof bytesWritten !== 'number') return null;
  return { writes, bytesWritten };
}

/** The tasks `ready --json` printed; throws unless it is a JSON array. */
export async function readReadyList(stdoutFile: string): Promise<unknown[]> {
  const text = await readFile(stdoutFile, 'utf8');
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch (cause) {
    throw new BenchError('BENCH_VERIFY', `ready --json printed something that is not JSON: ${JSON.stringify(text.slice(0, 120))}`, { cause });
  }
  if (!Array.isArray(list)) throw new BenchError('BENCH_VERIFY', 'ready --json printed JSON that is not an array');
  return list;
}

/** The number of tasks in `ready --json` output; throws unless it is a JSON array (of `want` tasks, when known). */
export async function readReadyCount(stdoutFile: string, want: number | null): Promise<number> {
  const list = await readReadyList(stdoutFile);
  if (want !== null && list.length !== want) {
    throw new BenchError('BENCH_VERIFY', `ready --json listed ${formatCount(list.length)} tasks; the tracker has ${formatCount(want)} ready`);
  }
  return list.length;
}
