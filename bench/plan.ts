/**
 * Sizes, repeat counts and time limits of every scenario, full and quick. Targets are the
 * same in both modes; only the full sizes are the ones the targets were set for.
 *
 * `runs` is the rounds wanted (each round: chorus, then its baseline). `budgetS` caps a
 * scenario's rounds: no new round starts if it would overrun (at least one always runs).
 * `timeoutS` kills a single chorus run; it is several times what a chorus meeting its target
 * needs, so a run killed by it has missed the target by far. Together they keep the full
 * suite under 5 minutes even when chorus is slow.
 */
export interface Plan {
  mode: 'full' | 'quick';
  /**
   * The harness's share of the suite's time (the build before it takes the rest). Write-back
   * runs last and its timeout stretches to what is left of this, so a slow chorus still gets
   * its figure when the earlier scenarios leave room.
   */
  suiteBudgetS: number;
  load: { tasks: number; closedShare: number; runs: number; budgetS: number; timeoutS: number };
  dispatch: { tasks: number; width: number; maxAgents: number; runs: number; budgetS: number; timeoutS: number };
  chain: { short: number; long: number; runs: number; budgetS: number; timeoutS: number };
  writeBack: { lines: number; closedShare: number; maxAgents: number; timeoutS: number };
  output: { megabytes: number; runs: number; budgetS: number; timeoutS: number };
  idle: { agents: number; sleepS: number; timeoutS: number };
  /** `chorus run` of one no-op task against `sh -c true` and the floor of three JavaScript engines, `runs` rounds within `budgetS`. */
  startup: { runs: number; budgetS: number; timeoutS: number };
  memory: { tasks: number; closedShare: number; runs: number; budgetS: number; timeoutS: number };
  schedulerGraph: { tasks: number; runs: number; timeoutS: number };
  /**
   * The dashboard: `frames` frames drawn in-process on fake streams of `cols` x `rows` over a
   * tracker of `tasks`; `idleS` seconds of a real dashboard in tmux with `agents` agents that print
   * nothing, from `idleSettleS` seconds after they all run (the start settled); a log followed while it grows by `logMB`; `starts` real dashboards started in tmux
   * over the `tasks` tracker, timed to their first frame; `keys` keys typed through tmux into a
   * dashboard whose `agents` agents print all the time, each timed to the screen's change.
   */
  dashboard: { tasks: number; frames: number; cols: number; rows: number; agents: number; idleS: number; idleSettleS: number; logMB: number; starts: number; keys: number; timeoutS: number };
  /**
   * The bd backend, through the stand-in `bd`: a batch of `tasks` no-op tasks on a wide DAG of
   * `width`, `maxAgents` at once, one run (its figure is a count of calls, not a time); and
   * `chorus ready` on the gastown fixture against the stand-in's bare `bd list`, `loadRuns` rounds.
   */
  bd: { tasks: number; width: number; maxAgents: number; batchTimeoutS: number; loadRuns: number; loadBudgetS: number; loadTimeoutS: number };
  /**
   * Executor "bullmq" on a Redis server of its own, `workers` chorus workers of `concurrency` each
   * (maxAgents = workers x concurrency): `tasks` no-op tasks on a wide DAG of `width`, `runs` rounds
   * of the local executor then the leader, within `budgetS`; and a leader whose agents `sleep` for
   * `sleepS`, against `zeroRuns` runs of the same batch with `sleep 0`.
   */
  distributed: { tasks: number; width: number; workers: number; concurrency: number; runs: number; budgetS: number; timeoutS: number; sleepS: number; zeroRuns: number; idleTimeoutS: number };
}

export const FULL_PLAN: Plan = {
  mode: 'full',
  suiteBudgetS: 350,
  load: { tasks: 100_000, closedShare: 0.5, runs: 5, budgetS: 40, timeoutS: 30 },
  // Issue 22: a round here takes ~26 s (chorus ~20 s, xargs ~7 s on this machine), so all 3 rounds need ~80 s.
  dispatch: { tasks: 2_000, width: 16, maxAgents: 8, runs: 3, budgetS: 90, timeoutS: 60 },
  // Issue 22: 1,000 and 5,000 took ~106 s a round here, so 1 of 3 ran; half the lengths give 2 full rounds in the same time.
  chain: { short: 500, long: 2_500, runs: 2, budgetS: 110, timeoutS: 90 },
  writeBack: { lines: 100_000, closedShare: 0.99, maxAgents: 8, timeoutS: 45 },
  // Issue 22: a round is 5 runs (the floor added one): ~5 s here, 13 s under other helpers' load; 40 s keeps 3 rounds.
  output: { megabytes: 500, runs: 3, budgetS: 40, timeoutS: 30 },
  idle: { agents: 8, sleepS: 20, timeoutS: 40 },
  startup: { runs: 5, budgetS: 15, timeoutS: 15 },
  memory: { tasks: 100_000, closedShare: 0.5, runs: 3, budgetS: 15, timeoutS: 30 },
  schedulerGraph: { tasks: 100_000, runs: 3, timeoutS: 60 },
  dashboard: { tasks: 10_000, frames: 60, cols: 200, rows: 60, agents: 8, idleS: 20, idleSettleS: 15, logMB: 500, starts: 3, keys: 40, timeoutS: 60 },
  bd: { tasks: 200, width: 8, maxAgents: 4, batchTimeoutS: 90, loadRuns: 5, loadBudgetS: 20, loadTimeoutS: 30 },
  distributed: { tasks: 500, width: 16, workers: 2, concurrency: 4, runs: 3, budgetS: 45, timeoutS: 60, sleepS: 20, zeroRuns: 3, idleTimeoutS: 50 },
};

export const QUICK_PLAN: Plan = {
  mode: 'quick',
  suiteBudgetS: 75,
  load: { tasks: 20_000, closedShare: 0.5, runs: 3, budgetS: 8, timeoutS: 10 },
  dispatch: { tasks: 500, width: 16, maxAgents: 8, runs: 2, budgetS: 10, timeoutS: 15 },
  chain: { short: 100, long: 400, runs: 1, budgetS: 15, timeoutS: 20 },
  writeBack: { lines: 10_000, closedShare: 0.9, maxAgents: 8, timeoutS: 25 },
  output: { megabytes: 100, runs: 1, budgetS: 5, timeoutS: 10 },
  idle: { agents: 8, sleepS: 5, timeoutS: 15 },
  startup: { runs: 2, budgetS: 5, timeoutS: 15 },
  memory: { tasks: 20_000, closedShare: 0.5, runs: 1, budgetS: 5, timeoutS: 10 },
  schedulerGraph: { tasks: 20_000, runs: 1, timeoutS: 20 },
  dashboard: { tasks: 2_000, frames: 20, cols: 200, rows: 60, agents: 4, idleS: 5, idleSettleS: 2, logMB: 100, starts: 1, keys: 10, timeoutS: 30 },
  bd: { tasks: 20, width: 8, maxAgents: 4, batchTimeoutS: 30, loadRuns: 3, loadBudgetS: 8, loadTimeoutS: 15 },
  distributed: { tasks: 40, width: 16, workers: 2, concurrency: 4, runs: 1, budgetS: 10, timeoutS: 30, sleepS: 3, zeroRuns: 1, idleTimeoutS: 25 },
};
