import { startWorkers, type Workers, type WorkerSpec } from '../chorus-workers.js';
import { BenchError, describeError } from '../errors.js';
import { formatCount } from '../format.js';
import { DEFAULT_SHAPE_OPTIONS } from '../generate/shapes.js';
import { describeRounds, interleave, median } from '../measure/repeat.js';
import type { RunSample } from '../measure/sample.js';
import { hasRedisServer, startRedis, type RedisServer } from '../redis-server.js';
import { judgeRow, maxTarget, type Row, type Unit } from '../row.js';
import { makeScratchDir, makeTracker, type ChorusSettings, type ScratchDir } from '../scratch-repo.js';
import { cpuOf, firstFailure, medianFigure, wallOf } from './compare.js';
import { NO_OP_AGENT, type ScenarioContext } from './context.js';
import { runBatch } from './run-batch.js';

const LOCAL = 'local';
const BULLMQ = 'bullmq';
/** The idle rows are reported per this many seconds, the window the target was set for. */
const PER_S = 20;

/**
 * Executor "bullmq" on a Redis server of the scenario's own, with `chorus worker` processes
 * already connected: what the queue adds to each task against the same batch on the local
 * executor in the same run, and what the leader costs while its remote agents run and say nothing.
 */
export async function distributedScenario(context: ScenarioContext): Promise<Row[]> {
  if (!hasRedisServer()) {
    const skip = 'redis-server is not installed: executor bullmq needs a Redis server (apt-get install redis-server)';
    return [
      emptyRow(overheadLabel(context), 'time added per task', 'ms', { skip }),
      emptyRow(idleLabel(context), 'leader CPU per 20 s', 's', { skip }),
      emptyRow(sleepingLabel(context), 'leader CPU per 20 s', 's', { skip }),
    ];
  }
  const scratch = await makeScratchDir('distributed');
  let redis: RedisServer | undefined;
  try {
    redis = await startRedis(scratch);
    const overhead = await overheadRow(context, scratch, redis.url);
    return [overhead, ...(await leaderIdleRows(context, scratch, redis.url))];
  } finally {
    await redis?.stop();
    await scratch.remove();
  }
}

const agentsOf = (context: ScenarioContext): number => context.plan.distributed.workers * context.plan.distributed.concurrency;
const workersText = (context: ScenarioContext): string => `${context.plan.distributed.workers} workers × ${context.plan.distributed.concurrency}`;

function overheadLabel(context: ScenarioContext): string {
  const { tasks, width } = context.plan.distributed;
  return `${formatCount(tasks)} no-op tasks, wide DAG (width ${width}), ${agentsOf(context)} agents: through BullMQ on ${workersText(context)} vs the local executor`;
}

function idleLabel(context: ScenarioContext): string {
  return `leader, ${agentsOf(context)} remote agents \`sleep ${context.plan.distributed.sleepS}\` (${workersText(context)}), batch`;
}

function sleepingLabel(context: ScenarioContext): string {
  return `leader while the remote agents sleep: the ${context.plan.distributed.sleepS} s batch minus the same batch with \`sleep 0\``;
}

/**
 * Workers of their own on `queue`, connected and warmed up before `body` runs, stopped after it
 * whatever happens. A worker starts its agent pool (a thread and an agent host) at its first job,
 * once in its life: `warmUp` batches, not timed, run until every worker has run a job, so that
 * the timed batches meet the workers as a long-lived deployment has them.
 */
async function withWorkers<T>(
  context: ScenarioContext,
  scratch: ScratchDir,
  spec: Omit<WorkerSpec, 'count' | 'concurrency'>,
  warmUp: () => Promise<RunSample>,
  body: () => Promise<T>,
): Promise<T> {
  const { workers: count, concurrency } = context.plan.distributed;
  const workers = await startWorkers(context.paths, scratch, { ...spec, count, concurrency });
  try {
    await warmUpWorkers(workers, warmUp);
    return await body();
  } finally {
    await workers.stop();
  }
}

const WARM_UP_BATCHES = 3;

async function warmUpWorkers(workers: Workers, warmUp: () => Promise<RunSample>): Promise<void> {
  for (let batch = 1; batch <= WARM_UP_BATCHES; batch += 1) {
    const sample = await warmUp();
    if (!sample.ok) throw new BenchError('BENCH_VERIFY', `warm-up batch through ${workers.names.join(', ')}: ${sample.error}`);
    if ((await workers.unused()).length === 0) return;
  }
  throw new BenchError('BENCH_VERIFY', `after ${WARM_UP_BATCHES} warm-up batches, ${(await workers.unused()).join(', ')} had run no job`);
}

/**
 * Rounds of the same batch on the local executor, then through BullMQ (the leader's `chorus batch`
 * timed from start to exit, the workers started before the first round): the difference of the
 * median walls per task is what the queue adds.
 */
async function overheadRow(context: ScenarioContext, scratch: ScratchDir, redisUrl: string): Promise<Row> {
  const { distributed } = context.plan;
  const label = overheadLabel(context);
  context.log(`distributed: ${label}`);
  const tracker = await makeTracker(scratch, 'wide', 'wide', { ...DEFAULT_SHAPE_OPTIONS, tasks: distributed.tasks, width: distributed.width });
  const queue = 'bench-no-op';
  const local: ChorusSettings = { maxAgents: agentsOf(context), ...NO_OP_AGENT };
  const leader: ChorusSettings = { ...local, executor: 'bullmq', redisUrl, queue };
  const batch = (settings: ChorusSettings) => (round: number) =>
    runBatch(context, scratch, { round, tracker: tracker.file, tasks: distributed.tasks, open: distributed.tasks, settings, timeoutS: distributed.timeoutS });
  // One task per agent slot, all ready at once: enough for both workers to take one.
  const small = await makeTracker(scratch, 'warm-up', 'wide', { ...DEFAULT_SHAPE_OPTIONS, tasks: agentsOf(context), width: agentsOf(context) });
  const warmUp = () => runBatch(context, scratch, { round: -1, tracker: small.file, tasks: agentsOf(context), open: agentsOf(context), settings: leader, timeoutS: distributed.timeoutS });
  let result;
  try {
    result = await withWorkers(context, scratch, { redisUrl, queue, ...NO_OP_AGENT }, warmUp, () =>
      interleave(
        [
          { name: LOCAL, run: batch(local) },
          { name: BULLMQ, run: batch(leader) },
        ],
        { runs: distributed.runs, budgetS: distributed.budgetS },
      ),
    );
  } catch (error) {
    return emptyRow(label, 'time added per task', 'ms', { error: describeError(error) });
  }
  const error = firstFailure(result, [BULLMQ, LOCAL]);
  const walls = { local: medianFigure(result, LOCAL, wallOf), bullmq: medianFigure(result, BULLMQ, wallOf) };
  const cpus = { local: medianFigure(result, LOCAL, cpuOf), bullmq: medianFigure(result, BULLMQ, cpuOf) };
  const bothWalls = !error && walls.local !== null && walls.bullmq !== null;
  return judgeRow({
    scenario: 'distributed',
    case: label,
    measure: `(bullmq wall − local wall) ÷ tasks, ${describeRounds(result)}`,
    unit: 'ms',
    chorus: bothWalls ? ((walls.bullmq! - walls.local!) / distributed.tasks) * 1000 : null,
    baseline: null,
    target: maxTarget(15, 'ms'),
    error,
    note: bothWalls
      ? `wall: bullmq ${walls.bullmq!.toFixed(2)} s, local ${walls.local!.toFixed(2)} s; CPU: the leader ${cpus.bullmq!.toFixed(2)} s (its agents run on the workers), local ${cpus.local!.toFixed(2)} s (agents included)`
      : undefined,
    runs: { chorus: result.samples.get(BULLMQ) ?? [], baseline: result.samples.get(LOCAL) ?? [] },
  });
}

/**
 * A leader whose remote agents all sleep has nothing to do but follow them: its CPU over the batch,
 * per 20 s of the batch's wall; and, as the idle scenario separates it, what it costs while they
 * sleep (the same batch with `sleep 0`, its start-up and finish, taken off). The `sleep 0` runs go
 * first, after the warm-up, on the same workers.
 */
async function leaderIdleRows(context: ScenarioContext, scratch: ScratchDir, redisUrl: string): Promise<Row[]> {
  const { distributed } = context.plan;
  const agents = agentsOf(context);
  const label = idleLabel(context);
  context.log(`distributed: ${label}`);
  const tracker = await makeTracker(scratch, 'idle', 'wide', { ...DEFAULT_SHAPE_OPTIONS, tasks: agents, width: agents });
  // One set of workers for both sleeps: their agent sleeps as long as the job's environment says
  // (the leader's agentEnv travels with the job; a worker's own command line never does).
  const queue = 'bench-sleep';
  const sleeper = { agentCommand: '/bin/sh', agentArgs: ['-c', 'exec sleep "$BENCH_SLEEP_S"'] };
  const leaderRun = (sleepS: number) => (round: number) => {
    const settings: ChorusSettings = { maxAgents: agents, ...sleeper, agentEnv: { BENCH_SLEEP_S: String(sleepS) }, executor: 'bullmq', redisUrl, queue };
    return runBatch(context, scratch, { round, tracker: tracker.file, tasks: agents, open: agents, settings, timeoutS: distributed.idleTimeoutS });
  };
  let sample: RunSample;
  const quicks: RunSample[] = [];
  try {
    sample = await withWorkers(context, scratch, { redisUrl, queue, ...sleeper }, () => leaderRun(0)(-1), async () => {
      for (let round = 1; round <= distributed.zeroRuns; round += 1) quicks.push(await leaderRun(0)(round));
      return leaderRun(distributed.sleepS)(0);
    });
  } catch (error) {
    const reason = { error: describeError(error) };
    return [emptyRow(label, 'leader CPU per 20 s', 's', reason), emptyRow(sleepingLabel(context), 'leader CPU per 20 s', 's', reason)];
  }
  // A batch that ends before its agents could have slept ran them wrong, whatever it reports.
  const tooShort = sample.ok && sample.wallS < distributed.sleepS;
  const quick = quicks.find((q) => !q.ok) ?? { ...quicks[0]!, cpuS: median(quicks.map((q) => q.cpuS)) };
  const bothOk = sample.ok && quick.ok && !tooShort;
  const quickRuns = quicks.length === 1 ? '1 run' : `median of ${quicks.length}`;
  return [
    judgeRow({
      scenario: 'distributed',
      case: label,
      measure: `leader CPU user+sys per ${PER_S} s of the batch's wall, 1 run`,
      unit: 's',
      chorus: sample.ok && !tooShort ? (sample.cpuS / sample.wallS) * PER_S : null,
      baseline: null,
      // Context: start and finish (two Node start-ups, BullMQ, the lock) are the start-up rows' to judge (issue 22).
      target: null,
      error: !sample.ok ? `leader run: ${sample.error}` : tooShort ? `the batch took ${sample.wallS} s, less than one sleep` : undefined,
      note: sample.ok ? `${sample.cpuS.toFixed(2)} s of CPU over a ${sample.wallS.toFixed(1)} s batch` : undefined,
      runs: { chorus: [sample], baseline: [] },
    }),
    judgeRow({
      scenario: 'distributed',
      case: sleepingLabel(context),
      measure: `leader CPU user+sys per ${PER_S} s of sleep, 1 run minus ${quickRuns}`,
      unit: 's',
      chorus: bothOk ? ((sample.cpuS - quick.cpuS) / distributed.sleepS) * PER_S : null,
      baseline: null,
      // The row: what the leader costs while its 8 remote agents are silent.
      target: maxTarget(0.3, 's'),
      error: !quick.ok ? `leader run with sleep 0: ${quick.error}` : undefined,
      note: bothOk ? `${(sample.cpuS - quick.cpuS).toFixed(2)} s over the ${distributed.sleepS} s sleep; start and finish alone (sleep 0): ${quick.cpuS.toFixed(2)} s in ${quick.wallS.toFixed(1)} s` : undefined,
      runs: { chorus: [sample, ...quicks], baseline: [] },
    }),
  ];
}

/** A row with no figure: skipped here, or a scenario step that could not run. */
function emptyRow(label: string, measure: string, unit: Unit, why: { skip?: string; error?: string }): Row {
  return judgeRow({ scenario: 'distributed', case: label, measure, unit, chorus: null, baseline: null, target: null, ...why, runs: { chorus: [], baseline: [] } });
}
