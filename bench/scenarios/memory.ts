import path from 'node:path';
import { readReadyCount } from '../chorus-output.js';
import { timeChorus } from '../commands.js';
import { expectedCounts } from '../expected-counts.js';
import { formatCount } from '../format.js';
import { DEFAULT_SHAPE_OPTIONS } from '../generate/shapes.js';
import { describeRounds, interleave } from '../measure/repeat.js';
import { checkRun } from '../measure/sample.js';
import { judgeRow, maxTarget, type Row } from '../row.js';
import { makeRepo, makeScratchDir, makeTracker } from '../scratch-repo.js';
import { CHORUS, firstFailure, medianFigure, rssMbOf } from './compare.js';
import { NO_OP_AGENT, type ScenarioContext } from './context.js';

/** Peak RSS of `chorus ready --json` on a large tracker: what holding the graph costs. */
export async function memoryScenario(context: ScenarioContext): Promise<Row[]> {
  const { memory } = context.plan;
  const scratch = await makeScratchDir('memory');
  try {
    const options = { ...DEFAULT_SHAPE_OPTIONS, tasks: memory.tasks, closedShare: memory.closedShare };
    const tracker = await makeTracker(scratch, 'random', 'random', options);
    const expected = expectedCounts('random', options);
    const stdoutFile = path.join(scratch.dir, 'stdout');
    context.log(`memory: ready --json on ${formatCount(memory.tasks)} tasks`);
    const run = async (round: number) => {
      const repo = await makeRepo(scratch, 'memory', tracker.file, { maxAgents: 8, ...NO_OP_AGENT }); // fresh: no cache from the last run
      const timed = await timeChorus(context.paths, repo.dir, ['ready', '--json'], { stdoutFile, timeoutS: memory.timeoutS });
      return checkRun(round, timed, async () => ({ ready: await readReadyCount(stdoutFile, expected.ready) }));
    };
    const result = await interleave([{ name: CHORUS, run }], { runs: memory.runs, budgetS: memory.budgetS });
    const error = firstFailure(result, [CHORUS]);
    return [
      judgeRow({
        scenario: 'memory',
        case: `ready --json, ${formatCount(memory.tasks)} tasks, ${formatCount(tracker.edges)} edges`,
        measure: `peak RSS, ${describeRounds(result)}`,
        unit: 'MB',
        chorus: error ? null : medianFigure(result, CHORUS, rssMbOf),
        baseline: null,
        target: maxTarget(250, 'MB'),
        error,
        runs: { chorus: result.samples.get(CHORUS) ?? [], baseline: [] },
      }),
    ];
  } finally {
    await scratch.remove();
  }
}
