import type { AgentExit, AgentReport } from '../agents/report.js';
import { createStreamReader } from '../agents/stream-reader.js';
import { followLog } from './log-follower.js';
import type { AgentJob } from './types.js';

/** One attempt's output, read from the log as the agent writes it, and its stall watchdog. */
export interface OutputWatch {
  /** Set once the watchdog found the log silent for `job.stallTimeoutMs` and ended the attempt. */
  readonly stalled: boolean;
  /** Once the agent's group is gone: reads what is left; the report, or undefined when the output is not read (`custom`). */
  finish(exit: AgentExit): Promise<AgentReport | undefined>;
  /** Stops following (an attempt that did not start). */
  stop(): void;
}

/**
 * Follows the attempt's part of the log (from `outputFrom`, just after its header) when there is
 * something to do with it: a reader for `job.agentKind` (not `custom`), or a stall watchdog.
 * `endAttempt` is called when the log stayed silent for `job.stallTimeoutMs`, or when the reader
 * says the agent cannot work and will not end by itself (StreamReader.endNow); it returns whether
 * that ended the attempt (false when something else already had). Undefined when neither applies:
 * custom agents without a watchdog cost nothing.
 */
export function watchOutput(job: AgentJob, outputFrom: number, endAttempt: () => boolean): OutputWatch | undefined {
  const kind = job.agentKind ?? 'custom';
  const stallMs = job.stallTimeoutMs ?? 0;
  const reader = kind === 'custom' ? undefined : createStreamReader(kind);
  if (!reader && stallMs <= 0) return undefined;
  let stalled = false;
  let endedByReader = false;
  const onLine = (line: string): void => {
    reader?.feed(line);
    if (endedByReader || !reader?.endNow?.()) return;
    endedByReader = true;
    endAttempt();
  };
  const follower = followLog({
    logPath: job.logPath,
    from: outputFrom,
    ...(reader ? { onLine } : {}),
    stallMs,
    onStall: () => {
      stalled = endAttempt() || stalled;
    },
  });
  return {
    get stalled() {
      return stalled;
    },
    async finish(exit) {
      await follower.finish();
      return reader?.end(exit);
    },
    stop: () => follower.stop(),
  };
}
