import type { AgentJob } from './types.js';

let parentEnv: NodeJS.ProcessEnv | undefined;

/**
 * The agent's whole environment for one attempt: chorus's own, then the job's, then CHORUS_ATTEMPT
 * over whatever the job set. chorus's own environment is read once: `process.env` is a live view
 * whose every read asks the C library.
 */
export function agentEnvironment(job: Pick<AgentJob, 'taskId' | 'env'>, attempt: number): NodeJS.ProcessEnv {
  parentEnv ??= { ...process.env };
  return { ...parentEnv, CHORUS_TASK_ID: job.taskId, ...job.env, CHORUS_ATTEMPT: String(attempt) };
}
