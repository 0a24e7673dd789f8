import { presetArgs, presetReadsStdin, presetResumes } from '../agents/presets.js';
import { keepEnd } from '../text/cut-text.js';
import { assertArgsFit } from './argv-refusal.js';
import { expandArgs } from './expand-args.js';
import { writeTaskFile } from './task-file.js';
import type { AgentJob, FeedbackPlan } from './types.js';

/** What the failed verify said: its argv, its exit code and the last lines of its output. */
export interface VerifyFailure {
  command: readonly string[];
  exitCode: number | null;
  tail: readonly string[];
}

/** The tail goes into an environment variable and maybe an argument: well under Linux's 128 KiB for one. */
const MAX_TAIL_CHARS = 8 * 1024;

/**
 * The feedback a round gives the agent: which command failed, how, and the end of its output, and
 * what is asked of it. Plain text, the same for every agent (`${FEEDBACK}`, `CHORUS_FEEDBACK`, a
 * preset's prompt).
 */
export function feedbackText(failure: VerifyFailure, round: { round: number; of: number; branch: string }): string {
  const exit = failure.exitCode === null ? 'it did not exit normally (ended by a signal, or it could not start)' : `it exited with code ${failure.exitCode}`;
  const tail = keepEnd(failure.tail.join('\n'), MAX_TAIL_CHARS);
  return [
    `chorus ran the verify command after your work on branch ${round.branch}, and it failed, so the work is not merged (feedback round ${round.round} of ${round.of}).`,
    '',
    `Command: ${failure.command.join(' ')}`,
    `Result: ${exit}.`,
    'The last lines of its output:',
    '',
    ...(tail ? tail.split('\n').map((line) => `    ${line}`) : ['    (no output)']),
    '',
    'Fix what makes it fail, in this worktree, and commit. When you exit, chorus runs the verify command again.',
  ].join('\n');
}

/**
 * The job for a feedback round: the same task in the same worktree, its command line made again
 * with the feedback. A custom agent gets it as `${FEEDBACK}` and `CHORUS_FEEDBACK` (its prompt
 * unchanged); a preset gets a prompt file of its own: the feedback alone when it resumes the
 * session that did the work (claude `--resume`, codex `exec resume`), the task's prompt and then
 * the feedback when it cannot (`resumes`: the session it continues). Throws CHORUS_AGENT_ARGS_TOO_LONG when the round's command line
 * would not start.
 */
export function feedbackRoundJob(job: AgentJob, plan: FeedbackPlan, feedback: string, sessionId: string | undefined): { job: AgentJob; resumes?: string } {
  const env = { ...job.env, CHORUS_FEEDBACK: feedback };
  const { argv } = plan;
  if (argv.kind === 'custom') {
    const round: AgentJob = { ...job, env, args: expandArgs(argv.template, { ...argv.vars, FEEDBACK: feedback }) };
    assertArgsFit(round, argv.template, job.commandOrigin ?? 'agentArgs');
    return { job: round };
  }
  const session = presetResumes(argv.agent) ? (sessionId ?? argv.input.sessionId) : undefined;
  // Without the session, the agent starts afresh: it needs the task as well as what went wrong.
  const prompt = session ? feedback : `${job.promptFile?.text ?? ''}\n\n---\n\n${feedback}`;
  writeTaskFile(plan.promptFile, prompt);
  const round: AgentJob = {
    ...job,
    env,
    args: presetArgs(argv.agent, { ...argv.input, promptFile: plan.promptFile, ...(session ? { sessionId: session } : {}) }),
    ...(presetReadsStdin(argv.agent) ? { stdinFile: plan.promptFile } : {}),
  };
  assertArgsFit(round, null, 'orchestration.agentExtraArgs in .chorus.json');
  return { job: round, ...(session ? { resumes: session } : {}) };
}
