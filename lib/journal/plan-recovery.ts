import type { Task, TaskPatch } from '../task/task.js';
import { judgeProcess, ownedGroupMembers, type ProcessIdentity, type ProcessView } from '../process/process-identity.js';
import type { ClaimEntry, JournalEntry } from './entries.js';

type ClaimedFromEntry = ClaimEntry['from'];
import { foldRuns, latestClaims } from './fold-runs.js';
import { repairClaim, type ClaimRepair } from './repair-claim.js';

/**
 * A run as recovery sees it. `running`: its chorus is alive (left alone). `ended`: it finished
 * and said so. `ended-hard`: its chorus is gone without saying so (killed, power loss): an
 * orphan. `unknown`: its chorus ran where chorus cannot look (another machine or container).
 */
export type RecordedRunState = 'running' | 'ended' | 'ended-hard' | 'unknown';

export interface RunSummary {
  run: string;
  pid: number;
  command: string;
  since: string;
  state: RecordedRunState;
}

export type RecoveryAction =
  /** An agent of a dead chorus still runs: end its group (SIGTERM, then SIGKILL after killGrace). */
  | { type: 'end-group'; run: string; task: string; agent: ProcessIdentity; pids: number[] }
  /** An attempt that ran elsewhere (no process here): the executor that owned it is asked to end it. */
  | { type: 'end-elsewhere'; run: string; task: string; executor: string; ref: string }
  /**
   * An attempt of a queue's worker (executor "bullmq") outlives the leader that started it: the task
   * stays claimed and the next leader takes its result, or re-attaches to it, rather than starting it again.
   */
  | { type: 'reattach'; run: string; task: string; executor: string; ref: string; attempt: number; claimedFrom: ClaimedFromEntry }
  | ({ type: 'repair-task'; run: string; task: string } & ClaimRepair);

export interface RecoveryPlan {
  runs: RunSummary[];
  actions: RecoveryAction[];
  /** Runs whose entries the journal must keep: still running, not judged, or with something left to do. */
  keep: Set<string>;
  /** Lines of the journal that could not be read. */
  unreadable: number;
}

export interface PlanRecoveryOptions {
  now: Date;
  /**
   * The caller holds the run lock, so no other chorus is running here: a run chorus cannot
   * look at is over too (its tasks are repaired; its processes, in another space, never touched).
   * False for a report (`chorus status`), which leaves such runs alone.
   */
  lockHeld: boolean;
  unreadable?: number;
}

/**
 * Reconciles the journal with the tracker and the processes that exist. Pure: the caller reads
 * the journal, the tracker and /proc, and performs the actions.
 *
 * For each run whose chorus is gone: its agents' groups still alive are ended (only members
 * that provably belong to the recorded agent: a reused pid is never signalled), and each task it
 * claimed, where its latest claim is this run's, is set right (see repairClaim). A run whose
 * chorus is alive is left alone.
 */
export function planRecovery(
  entries: readonly JournalEntry[],
  tracker: ReadonlyMap<string, Task>,
  processes: ProcessView,
  options: PlanRecoveryOptions,
): RecoveryPlan {
  const runs = foldRuns(entries);
  const latest = latestClaims(runs);
  const plan: RecoveryPlan = { runs: [], actions: [], keep: new Set(), unreadable: options.unreadable ?? 0 };
  for (const record of runs.values()) {
    const { start } = record;
    const liveness = judgeProcess(start.chorus, processes);
    const state: RecordedRunState =
      liveness === 'alive' ? 'running' : liveness === 'unknown' && !options.lockHeld ? 'unknown' : record.end ? 'ended' : 'ended-hard';
    plan.runs.push({ run: start.run, pid: start.chorus.pid, command: start.command, since: start.at, state });
    if (state === 'running' || state === 'unknown') {
      plan.keep.add(start.run);
      continue;
    }
    const before = plan.actions.length;
    for (const [task, claim] of record.claims) {
      if (latest.get(task) !== claim.seq) continue; // a later run claimed it since: that run decides
      const outliving = claim.openAttempts.find((a) => !a.agent && a.executor === 'bullmq' && a.ref);
      if (outliving && tracker.get(task)?.status === 'in_progress') {
        plan.actions.push({ type: 'reattach', run: start.run, task, executor: outliving.executor!, ref: outliving.ref!, attempt: outliving.attempt, claimedFrom: claim.claim.from });
        continue;
      }
      for (const attempt of claim.openAttempts) {
        if (!attempt.agent) {
          if (attempt.executor && attempt.ref) plan.actions.push({ type: 'end-elsewhere', run: start.run, task, executor: attempt.executor, ref: attempt.ref });
          continue;
        }
        const members = ownedGroupMembers(attempt.agent, processes);
        if (members.length > 0) plan.actions.push({ type: 'end-group', run: start.run, task, agent: attempt.agent, pids: members.map((m) => m.pid) });
      }
      const repair = repairClaim(claim, tracker.get(task), options.now);
      if (repair) plan.actions.push({ type: 'repair-task', run: start.run, task, ...repair });
    }
    if (plan.actions.length > before) plan.keep.add(start.run);
  }
  return plan;
}

/** The patch of each task to repair, in plan order. */
export function taskRepairs(plan: RecoveryPlan): { task: string; to: ClaimRepair['to']; patch: TaskPatch }[] {
  return plan.actions.flatMap((a) => (a.type === 'repair-task' ? [{ task: a.task, to: a.to, patch: a.patch }] : []));
}
