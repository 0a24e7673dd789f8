import { describeError } from '../errors.js';
import type { TimedRun } from './gnu-time.js';
import type { Sample } from './repeat.js';

/** Facts a check learned about a run (tasks closed, bytes written, ...), kept in the JSON. */
export type Facts = Record<string, number | string | null>;

/** One measured run as the JSON records it: GNU time's figures, whether it checked out, and what was checked. */
export interface RunSample extends Sample, Pick<TimedRun, 'command' | 'wallS' | 'userS' | 'sysS' | 'cpuS' | 'maxRssKb' | 'exitCode' | 'timedOut' | 'timeoutS'> {
  round: number;
  facts: Facts;
}

/**
 * Turns a timed run into a sample, checking it first: it must have finished in time, exited 0,
 * and passed `check` (which throws when the run did not do its work). A run that fails any of
 * these has no figure, so a broken chorus can never look fast.
 */
export async function checkRun(round: number, run: TimedRun, check: () => Promise<Facts>): Promise<RunSample> {
  const base = {
    round,
    command: run.command,
    wallS: run.wallS,
    userS: run.userS,
    sysS: run.sysS,
    cpuS: run.cpuS,
    maxRssKb: run.maxRssKb,
    exitCode: run.exitCode,
    timedOut: run.timedOut,
    timeoutS: run.timeoutS,
  };
  if (run.timedOut) {
    // What the killed run got done (e.g. "closed 2,503 of 10,000") says how far off it was.
    const progress = await check().then(
      () => '',
      (error: unknown) => `; ${describeError(error)}`,
    );
    return { ...base, ok: false, error: `did not finish within its ${run.timeoutS} s timeout (stopped)${progress}`, facts: {} };
  }
  if (run.exitCode !== 0) {
    const stderr = run.stderrTail.trim().split('\n').slice(-3).join(' | ');
    return { ...base, ok: false, error: `exited with code ${run.exitCode}${stderr ? `: ${stderr}` : ''}`, facts: {} };
  }
  try {
    return { ...base, ok: true, facts: await check() };
  } catch (error) {
    return { ...base, ok: false, error: describeError(error), facts: {} };
  }
}
