import { ChorusError } from '../errors.js';
import { findArgvProblem, type ArgvProblem } from './argv-space.js';
import { agentEnvironment } from './child-env.js';
import type { AgentJob } from './types.js';

const PROMPT_FILE_HINT =
  'Hand the agent its prompt as a file instead: "${PROMPT_FILE}" in its arguments is the path of a file holding the whole prompt ' +
  '(CHORUS_PROMPT_FILE in its environment names the same file).';

/**
 * Before the claim: a command line Linux would refuse (spawn E2BIG, however often it is retried)
 * is refused here, so the task is blocked with a reason a person can act on and never claimed.
 * `template` is the argv before expansion (custom agents), to name the argument as it was written;
 * `argsOrigin` is where it was written. Throws ChorusError CHORUS_AGENT_ARGS_TOO_LONG.
 */
export function assertArgsFit(job: AgentJob, template: readonly string[] | null, argsOrigin: string): void {
  // The longest environment any attempt gets: CHORUS_ATTEMPT of the last one.
  const problem = findArgvProblem(job.command, job.args, agentEnvironment(job, job.retryCount + 1));
  if (problem) throw new ChorusError('CHORUS_AGENT_ARGS_TOO_LONG', `task ${job.taskId}: ${describeProblem(problem, job.args, template, argsOrigin)}`);
}

function describeProblem(problem: ArgvProblem, args: readonly string[], template: readonly string[] | null, argsOrigin: string): string {
  const bytes = (n: number): string => `${n.toLocaleString('en-US')} bytes`;
  switch (problem.kind) {
    case 'argument': {
      const written = template?.[problem.index] ?? `${args[problem.index]!.slice(0, 40)}...`;
      return (
        `agent argument ${problem.index + 1} (${JSON.stringify(written)}, from ${argsOrigin}) comes to ${bytes(problem.bytes)}; ` +
        `Linux takes at most ${bytes(problem.limit)} in one argument (MAX_ARG_STRLEN), so the agent could not start. ${PROMPT_FILE_HINT}`
      );
    }
    case 'environment':
      return (
        `the agent's environment variable ${problem.name} comes to ${bytes(problem.bytes)}; Linux takes at most ${bytes(problem.limit)} ` +
        `in one variable (MAX_ARG_STRLEN), so the agent could not start. Shorten it (orchestration.agentEnv, or chorus's own environment).`
      );
    case 'total':
      return (
        `the agent's arguments (${argsOrigin}) and environment come to ${bytes(problem.bytes)}; Linux starts a program with at most ` +
        `${bytes(problem.limit)} of them (ARG_MAX: a quarter of the stack limit, \`ulimit -s\`), so the agent could not start. ${PROMPT_FILE_HINT}`
      );
  }
}
