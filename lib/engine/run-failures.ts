import { noAgentResult } from '../executor/no-agent-result.js';
import type { RunResult } from '../executor/types.js';

/** A run that could not start because the disk is full or read-only: the message, else null. */
export function diskFailure(result: RunResult): string | null {
  if (result.outcome !== 'spawn-error' || !result.error) return null;
  const { code, message } = result.error;
  const disk = /\b(ENOSPC|EDQUOT|EROFS)\b/;
  return (code && disk.test(code)) || disk.test(message) ? message : null;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The result of a run chorus itself failed to hand to the pool. */
export function internalFailure(taskId: string, error: unknown): RunResult {
  return noAgentResult(taskId, 'spawn-error', {
    error: { name: 'ChorusError', code: 'CHORUS_ENGINE_FAILED', message: `chorus could not start the agent: ${errorMessage(error)}` },
  });
}
