import type { RunOutcome, RunResult } from './types.js';

/** The RunResult of a run in which no agent got going: refused, cancelled before it started, or chorus itself failed. */
export function noAgentResult(taskId: string, outcome: RunOutcome, extra: Partial<Omit<RunResult, 'taskId' | 'outcome'>> = {}): RunResult {
  return {
    taskId,
    outcome,
    exitCode: null,
    signal: null,
    timedOut: false,
    killedBy: null,
    attempts: 0,
    durationMs: 0,
    logTail: [],
    ...extra,
  };
}
