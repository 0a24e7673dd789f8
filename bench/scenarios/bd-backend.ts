import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { kindOf, makeBdRepo, overlappingCalls, readCallLog, bdEnv, type BdCall, type CallKind } from '../bd-repo.js';
import { readBatchFinished, readReadyList } from '../chorus-output.js';
import { timeChorus } from '../commands.js';
import { BenchError } from '../errors.js';
import { formatCount } from '../format.js';
import { DEFAULT_SHAPE_OPTIONS } from '../generate/shapes.js';
import { timeCommand } from '../measure/gnu-time.js';
import { interleave } from '../measure/repeat.js';
import { checkRun, type RunSample } from '../measure/sample.js';
import { judgeRow, maxTarget, ratioTarget, type Row } from '../row.js';
import { makeRepo, makeScratchDir, makeTracker, type ScratchDir } from '../scratch-repo.js';
import { expectAllClosed } from '../tracker-facts.js';
import { BASELINE, CHORUS, compareRow, cpuOf, medianFigure, wallOf } from './compare.js';
import { NO_OP_AGENT, type ScenarioContext } from './context.js';

const SCENARIO = 'bd-backend';
/** Claim and close, plus a share of the reloads: what a task costs in bd calls when all goes well. */
const CALLS_TARGET = maxTarget(3, 'calls/task');
/** As the load rows: chorus's own work (start-up, parsing, graph, output) may cost what the list itself costs. */
const LOAD_TARGET = ratioTarget(2);
/** The load case's tracker: the largest real one, as the load scenario's real row. */
const GASTOWN = 'steveyegge-gastown.issues.jsonl';
/** The call chorus loads the tracker with (lib/bd/bd-tracker.ts), as chorus makes it. */
const LIST_ARGS = ['--actor', 'chorus', 'list', '--json', '--all', '-n', '0', '--include-gates', '--include-infra'];
const STANDIN_NOTE = 'the stand-in is a Node script, not the real bd (Go, Dolt), and not its speed';

/**
 * chorus's bd backend through the stand-in `bd` (test/fixtures/bd): the bd calls a batch makes
 * per task, from the stand-in's own log, and loading the 6,065-issue gastown tracker through
 * `bd list` against the stand-in printing that list alone.
 */
export async function bdBackendScenario(context: ScenarioContext): Promise<Row[]> {
  if (!existsSync(path.join(context.paths.bdStandinDir, 'bd'))) {
    const skip = `no stand-in bd at ${context.paths.bdStandinDir}`;
    return [
      judgeRow({ scenario: SCENARIO, case: 'bd calls per task', measure: '—', unit: 'calls/task', chorus: null, baseline: null, target: CALLS_TARGET, skip, runs: { chorus: [], baseline: [] } }),
      judgeRow({ scenario: SCENARIO, case: 'load through bd', measure: '—', unit: 's', chorus: null, baseline: null, target: LOAD_TARGET, skip, runs: { chorus: [], baseline: [] } }),
    ];
  }
  const scratch = await makeScratchDir('bd');
  try {
    return [await callsPerTask(context, scratch), await loadThroughBd(context, scratch)];
  } finally {
    await scratch.remove();
  }
}

/**
 * One `chorus batch --all-ready` over a wide DAG of no-op tasks, every call to the stand-in logged
 * (BD_STANDIN_CALL_LOG). Checked: exit 0, every task closed in bd's store and in batch.finished,
 * none blocked, and no two calls overlapping in time. One run: the figure is a count.
 */
async function callsPerTask(context: ScenarioContext, scratch: ScratchDir): Promise<Row> {
  const { bd } = context.plan;
  const options = { ...DEFAULT_SHAPE_OPTIONS, tasks: bd.tasks, width: bd.width };
  const tracker = await makeTracker(scratch, 'bd-wide', 'wide', options);
  const repo = await makeBdRepo(path.join(scratch.dir, 'repos', 'bd-batch'), tracker.file, 'bn', { maxAgents: bd.maxAgents, ...NO_OP_AGENT });
  const callLog = path.join(scratch.dir, 'bd-batch-calls.jsonl');
  const stdoutFile = path.join(scratch.dir, 'bd-batch-stdout.jsonl');
  const label = `${formatCount(bd.tasks)} no-op tasks through bd, wide DAG (width ${bd.width}), ${bd.maxAgents} agents: bd calls per task`;
  context.log(`${SCENARIO}: ${label}`);
  const args = ['batch', '--all-ready', '--json', '--max-agents', String(bd.maxAgents)];
  const env = bdEnv(context.paths.bdStandinDir, { BD_STANDIN_CALL_LOG: callLog });
  const run = await timeChorus(context.paths, repo.dir, args, { stdoutFile, timeoutS: bd.batchTimeoutS, env });
  const sample = await checkRun(0, run, async () => {
    await expectAllClosed(repo.dataFile, bd.tasks, bd.tasks);
    const finished = await readBatchFinished(stdoutFile);
    if (finished.closed !== bd.tasks || finished.blocked !== 0) {
      throw new BenchError('BENCH_VERIFY', `batch.finished reports ${finished.closed} closed and ${finished.blocked} blocked; ${bd.tasks} were to close`);
    }
    const calls = await readCallLog(callLog);
    const overlaps = overlappingCalls(calls);
    if (overlaps.length > 0) {
      const [a, b] = overlaps[0]!;
      throw new BenchError('BENCH_VERIFY', `${formatCount(overlaps.length)} pair(s) of bd calls overlapped in time, first \`${a.argv.join(' ')}\` and \`${b.argv.join(' ')}\``);
    }
    return { closed: bd.tasks, calls: calls.length, ...countKinds(calls), failedCalls: calls.filter((c) => c.exit !== 0).length };
  });
  const facts = sample.facts;
  const calls = Number(facts['calls']);
  const note = sample.ok
    ? `list ${facts['list']}, claim ${facts['claim']}, close ${facts['close']}, other ${facts['other']} (${formatCount(calls)} calls` +
      `${Number(facts['failedCalls']) > 0 ? `, ${facts['failedCalls']} exited non-zero` : ''}); no two calls overlapped; ` +
      `${formatCount(bd.tasks)} of ${formatCount(bd.tasks)} closed in bd; batch took ${sample.wallS.toFixed(1)} s`
    : undefined;
  await rm(stdoutFile, { force: true });
  return judgeRow({
    scenario: SCENARIO,
    case: label,
    measure: "calls in the stand-in's log ÷ tasks, 1 run",
    unit: 'calls/task',
    chorus: sample.ok ? calls / bd.tasks : null,
    baseline: null,
    target: CALLS_TARGET,
    error: sample.ok ? undefined : `chorus run: ${sample.error}`,
    note,
    runs: { chorus: [sample], baseline: [] },
    details: sample.ok ? { tasks: bd.tasks, ...facts } : undefined,
  });
}

function countKinds(calls: readonly BdCall[]): Record<CallKind, number> {
  const counts: Record<CallKind, number> = { list: 0, claim: 0, close: 0, other: 0 };
  for (const call of calls) counts[kindOf(call)] += 1;
  return counts;
}

/**
 * `chorus ready --json` on the gastown tracker held by the stand-in, against the stand-in's own
 * `bd list` of it (the very call chorus makes) with its output thrown away: the ratio is what chorus
 * adds to the list (its start-up, parsing the list, the graph, readiness, its output). Checked: chorus
 * made that one call and listed the same ready tasks as it does from the fixture's JSONL file.
 */
async function loadThroughBd(context: ScenarioContext, scratch: ScratchDir): Promise<Row> {
  const { bd } = context.plan;
  const fixture = path.join(context.paths.realFixtures, GASTOWN);
  if (!existsSync(fixture)) {
    return judgeRow({
      scenario: SCENARIO, case: 'load through bd: gastown', measure: 'wall', unit: 's', chorus: null, baseline: null, target: LOAD_TARGET,
      skip: `no ${GASTOWN} in ${context.paths.realFixtures}`, runs: { chorus: [], baseline: [] },
    });
  }
  const issues = (await readFile(fixture, 'utf8')).split('\n').filter((line) => line.trim() !== '').length;
  const label = `load through bd: gastown (${formatCount(issues)} issues), ready --json vs the stand-in's bare bd list`;
  context.log(`${SCENARIO}: ${label}`);
  const standin = path.join(context.paths.bdStandinDir, 'bd');
  const stdoutFile = path.join(scratch.dir, 'bd-load-stdout');
  const seeded = await makeBdRepo(path.join(scratch.dir, 'repos', 'bd-load'), fixture, 'gt', NO_OP_AGENT);
  const baselineEnv = bdEnv(context.paths.bdStandinDir, { BEADS_DIR: seeded.beadsDir });
  await expectListed(standin, seeded.dir, baselineEnv, stdoutFile, issues, bd.loadTimeoutS);
  const want = await readyFromFile(context, scratch, fixture, stdoutFile, bd.loadTimeoutS);

  const result = await interleave(
    [
      {
        name: CHORUS,
        run: async (round) => {
          // A fresh repository each run, as in the load scenario: nothing chorus might keep beside the tracker helps later runs.
          const repo = await makeBdRepo(path.join(scratch.dir, 'repos', `bd-load-${round}`), fixture, 'gt', NO_OP_AGENT);
          const callLog = path.join(scratch.dir, `bd-load-calls-${round}.jsonl`);
          const env = bdEnv(context.paths.bdStandinDir, { BD_STANDIN_CALL_LOG: callLog });
          const run = await timeChorus(context.paths, repo.dir, ['ready', '--json'], { stdoutFile, timeoutS: bd.loadTimeoutS, env });
          return checkRun(round, run, async () => {
            const calls = await readCallLog(callLog);
            if (calls.length !== 1 || kindOf(calls[0]!) !== 'list') {
              throw new BenchError('BENCH_VERIFY', `chorus made ${calls.length} bd call(s) (${calls.map((c) => c.argv.join(' ')).join('; ')}), not one list`);
            }
            const ready = await readReadyIds(stdoutFile);
            const missing = [...want].filter((id) => !ready.has(id));
            const extra = [...ready].filter((id) => !want.has(id));
            if (missing.length > 0 || extra.length > 0) {
              throw new BenchError('BENCH_VERIFY', `ready through bd differs from ready on the JSONL file: ${missing.length} missing (${missing.slice(0, 3).join(', ')}), ${extra.length} extra (${extra.slice(0, 3).join(', ')})`);
            }
            return { ready: ready.size, calls: calls.length };
          });
        },
      },
      {
        name: BASELINE,
        run: async (round) => {
          const run = await timeCommand(standin, LIST_ARGS, { cwd: seeded.dir, env: baselineEnv, timeoutS: bd.loadTimeoutS });
          return checkRun(round, run, async () => ({}));
        },
      },
    ],
    { runs: bd.loadRuns, budgetS: bd.loadBudgetS },
  );
  await rm(stdoutFile, { force: true });
  const cpu = (series: string) => medianFigure(result, series, cpuOf);
  const chorusCpu = cpu(CHORUS);
  const baselineCpu = cpu(BASELINE);
  const cpuNote = chorusCpu !== null && baselineCpu !== null ? `; CPU ${chorusCpu.toFixed(2)} s (bd's list included) vs ${baselineCpu.toFixed(2)} s` : '';
  return compareRow(result, {
    scenario: SCENARIO,
    case: label,
    measure: 'wall',
    unit: 's',
    target: LOAD_TARGET,
    figure: wallOf,
    note: `${formatCount(want.size)} ready, the same as chorus lists from the JSONL file${cpuNote}; ${STANDIN_NOTE}`,
  });
}

/** Untimed, before the rounds (and warming both sides alike): the stand-in lists every issue of the fixture. */
async function expectListed(standin: string, cwd: string, env: NodeJS.ProcessEnv, stdoutFile: string, issues: number, timeoutS: number): Promise<void> {
  const run = await timeCommand(standin, LIST_ARGS, { cwd, env, stdoutFile, timeoutS });
  const sample: RunSample = await checkRun(0, run, async () => {
    const list: unknown = JSON.parse(await readFile(stdoutFile, 'utf8'));
    if (!Array.isArray(list) || list.length !== issues) {
      throw new BenchError('BENCH_VERIFY', `the stand-in's bd list printed ${Array.isArray(list) ? `${list.length} issues` : 'no list'}, not ${issues}`);
    }
    return {};
  });
  if (!sample.ok) throw new BenchError('BENCH_VERIFY', `the stand-in's \`bd ${LIST_ARGS.join(' ')}\`: ${sample.error}`);
}

/** What `chorus ready --json` lists from the fixture as a JSONL file (the jsonl backend): what it must list through bd. */
async function readyFromFile(context: ScenarioContext, scratch: ScratchDir, fixture: string, stdoutFile: string, timeoutS: number): Promise<Set<string>> {
  const repo = await makeRepo(scratch, 'bd-load-jsonl', fixture, { maxAgents: 8, ...NO_OP_AGENT });
  const run = await timeChorus(context.paths, repo.dir, ['ready', '--json'], { stdoutFile, timeoutS });
  const sample = await checkRun(0, run, async () => ({ ready: (await readReadyIds(stdoutFile)).size }));
  if (!sample.ok) throw new BenchError('BENCH_VERIFY', `chorus ready --json on ${GASTOWN} as a JSONL file: ${sample.error}`);
  return readReadyIds(stdoutFile);
}

async function readReadyIds(stdoutFile: string): Promise<Set<string>> {
  const list = await readReadyList(stdoutFile);
  return new Set(list.map((task) => String((task as { id?: unknown }).id)));
}
