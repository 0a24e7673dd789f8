import path from 'node:path';
import { readBatchFinished } from '../chorus-output.js';
import { timeChorus } from '../commands.js';
import { BenchError } from '../errors.js';
import { checkRun, type Facts, type RunSample } from '../measure/sample.js';
import { makeRepo, removeRepo, type ChorusSettings, type ScratchDir } from '../scratch-repo.js';
import { countStatuses, expectAllClosed } from '../tracker-facts.js';
import type { ScenarioContext } from './context.js';

export interface BatchRun {
  round: number;
  /** The tracker to copy: a fresh repository per run, since a batch closes its tasks. */
  tracker: string;
  tasks: number;
  /** Open tasks in it: every one must be closed by the run. */
  open: number;
  settings: ChorusSettings;
  timeoutS: number;
  /** Told the run's process group (chorus, its agent host; not the agents, which have their own). */
  onStart?: (pgid: number) => void;
}

/**
 * `chorus batch --all-ready --json` on a fresh copy of `tracker`, checked: exit 0, every
 * task closed in the file, and batch.finished reporting the same number closed, none blocked.
 * Facts: closed, and the tracker writes chorus reports (null until it reports them). A run
 * stopped at its timeout fails, but keeps the facts of what it got done (`partial: 1`).
 */
let batches = 0;

export async function runBatch(context: ScenarioContext, scratch: ScratchDir, spec: BatchRun): Promise<RunSample> {
  const repo = await makeRepo(scratch, `batch-${(batches += 1)}`, spec.tracker, spec.settings);
  const stdoutFile = path.join(scratch.dir, 'batch-stdout.jsonl');
  const args = ['batch', '--all-ready', '--json', '--max-agents', String(spec.settings.maxAgents)];
  try {
    const run = await timeChorus(context.paths, repo.dir, args, { stdoutFile, timeoutS: spec.timeoutS, ...(spec.onStart ? { onStart: spec.onStart } : {}) });
    if (run.timedOut) {
      const sample = await checkRun(spec.round, run, () => expectAllClosed(repo.issuesFile, spec.tasks, spec.open).then(() => ({})));
      return { ...sample, facts: await partialFacts(repo.issuesFile, stdoutFile, spec) };
    }
    return await checkRun(spec.round, run, async () => {
      const closed = await expectAllClosed(repo.issuesFile, spec.tasks, spec.open);
      const finished = await readBatchFinished(stdoutFile);
      if (finished.closed !== spec.open || finished.blocked !== 0) {
        throw new BenchError('BENCH_VERIFY', `batch.finished reports ${finished.closed} closed and ${finished.blocked} blocked; ${spec.open} were to close`);
      }
      return { closed, writes: finished.tracker?.writes ?? null, bytesWritten: finished.tracker?.bytesWritten ?? null };
    });
  } finally {
    // Small repos stay until the scenario's folder goes: on ext4, deleting thousands of agent logs
    // just before the next run creates thousands more made each new file cost ~1 ms of system
    // time here (the allocator skips inodes freed in the last seconds), which is not chorus's cost.
    if (spec.tasks > 50_000) await removeRepo(repo);
  }
}

/** What a stopped batch got done: tasks closed, and the tracker writes it reported as it stopped, if it did. */
async function partialFacts(issuesFile: string, stdoutFile: string, spec: BatchRun): Promise<Facts> {
  const closedNow = (await countStatuses(issuesFile)).get('closed') ?? 0;
  const finished = await readBatchFinished(stdoutFile).catch(() => null);
  return {
    partial: 1,
    closed: closedNow - (spec.tasks - spec.open),
    writes: finished?.tracker?.writes ?? null,
    bytesWritten: finished?.tracker?.bytesWritten ?? null,
  };
}
