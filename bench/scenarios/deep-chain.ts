import { timeShell } from '../commands.js';
import { formatCount } from '../format.js';
import { DEFAULT_SHAPE_OPTIONS } from '../generate/shapes.js';
import { describeRounds, interleave, type RepeatResult } from '../measure/repeat.js';
import { checkRun, type RunSample } from '../measure/sample.js';
import { judgeRow, maxTarget, type Row } from '../row.js';
import { makeScratchDir, makeTracker, type ScratchDir } from '../scratch-repo.js';
import { compareRow, firstFailure, medianFigure, wallOf } from './compare.js';
import { NO_OP_AGENT, type ScenarioContext } from './context.js';
import { runBatch } from './run-batch.js';

/**
 * A chain runs one task at a time, so what grows with its length is chorus's own per-task
 * work. Linear growth makes t(long)/t(short) the length ratio (5); work per task that grows
 * with the tracker (re-reading or re-writing it whole, rescanning the graph) pushes it toward 25.
 */
export async function deepChainScenario(context: ScenarioContext): Promise<Row[]> {
  const { chain } = context.plan;
  const scratch = await makeScratchDir('chain');
  try {
    const short = await chainSeries(context, scratch, chain.short);
    const long = await chainSeries(context, scratch, chain.long);
    context.log(`deep-chain: ${formatCount(chain.short)} and ${formatCount(chain.long)} tasks`);
    const result = await interleave([...short, ...long], { runs: chain.runs, budgetS: chain.budgetS });
    const lengthRatio = chain.long / chain.short;
    return [
      lengthRow(result, chain.short),
      lengthRow(result, chain.long),
      growthRow(result, chain.short, chain.long, lengthRatio),
    ];
  } finally {
    await scratch.remove();
  }
}

async function chainSeries(context: ScenarioContext, scratch: ScratchDir, tasks: number) {
  const { chain } = context.plan;
  const tracker = await makeTracker(scratch, `chain-${tasks}`, 'chain', { ...DEFAULT_SHAPE_OPTIONS, tasks });
  const settings = { maxAgents: 8, ...NO_OP_AGENT };
  return [
    {
      name: `chorus ${tasks}`,
      run: (round: number) => runBatch(context, scratch, { round, tracker: tracker.file, tasks, open: tasks, settings, timeoutS: chain.timeoutS }),
    },
    {
      name: `baseline ${tasks}`,
      run: async (round: number) => checkRun(round, await timeShell(`seq ${tasks} | xargs -n 1 true`, { timeoutS: chain.timeoutS }), async () => ({})),
    },
  ];
}

/** t(n) against serial xargs: context only, no target. */
function lengthRow(result: RepeatResult<RunSample>, tasks: number): Row {
  return compareRow(result, {
    scenario: 'deep-chain',
    case: `chain of ${formatCount(tasks)}; baseline serial xargs`,
    measure: 'wall',
    unit: 's',
    target: null,
    figure: wallOf,
    chorusSeries: `chorus ${tasks}`,
    baselineSeries: `baseline ${tasks}`,
  });
}

/** The judged row: how chorus's time grows with the chain's length (serial xargs's growth beside it). */
function growthRow(result: RepeatResult<RunSample>, short: number, long: number, lengthRatio: number): Row {
  const growth = (series: string): number | null => {
    const a = medianFigure(result, `${series} ${short}`, wallOf);
    const b = medianFigure(result, `${series} ${long}`, wallOf);
    return a === null || b === null || a <= 0 ? null : b / a;
  };
  const error = firstFailure(result, [`chorus ${short}`, `chorus ${long}`, `baseline ${short}`, `baseline ${long}`]);
  return judgeRow({
    scenario: 'deep-chain',
    case: `growth t(${formatCount(long)})/t(${formatCount(short)}); linear = ${lengthRatio}`,
    measure: `wall ratio, ${describeRounds(result)}`,
    unit: 'x',
    chorus: error ? null : growth('chorus'),
    baseline: error ? null : growth('baseline'),
    ratio: null,
    target: maxTarget(lengthRatio * 1.2, 'x'),
    error,
    details: { runs: 'in the two chain rows above' },
    runs: { chorus: [], baseline: [] },
  });
}
