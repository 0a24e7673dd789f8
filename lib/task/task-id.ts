import { ChorusError } from '../errors.js';

/** Leaves room for `.log` and similar suffixes under NAME_MAX (255 bytes). */
const MAX_TASK_ID_BYTES = 200;

/**
 * Refuses a task id that could escape `.beads/agent-output/` or name a hidden file once it
 * becomes part of a path. Throws ChorusError CHORUS_BAD_TASK_ID.
 */
export function assertSafeTaskId(id: string): void {
  const problem = findTaskIdProblem(id);
  if (problem !== undefined) {
    throw new ChorusError('CHORUS_BAD_TASK_ID', `task id ${JSON.stringify(id)} cannot be used in a file name: ${problem}`);
  }
}

function findTaskIdProblem(id: string): string | undefined {
  if (typeof id !== 'string' || id.length === 0) return 'it is empty';
  if (id.includes('/')) return 'it contains "/"';
  if (id.includes('\0')) return 'it contains a NUL byte';
  if (id.includes('..')) return 'it contains ".."';
  if (id.startsWith('.')) return 'it starts with "."';
  if (Buffer.byteLength(id) > MAX_TASK_ID_BYTES) return `it is longer than ${MAX_TASK_ID_BYTES} bytes`;
  return undefined;
}
