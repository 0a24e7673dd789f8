import { timeShell } from '../commands.js';
import { formatCount } from '../format.js';
import { DEFAULT_SHAPE_OPTIONS } from '../generate/shapes.js';
import { interleave } from '../measure/repeat.js';
import { checkRun } from '../measure/sample.js';
import { ratioTarget, type Row } from '../row.js';
import { makeScratchDir, makeTracker } from '../scratch-repo.js';
import { BASELINE, CHORUS, compareRow, wallOf } from './compare.js';
import { NO_OP_AGENT, type ScenarioContext } from './context.js';
import { runBatch } from './run-batch.js';

/**
 * Starting and finishing no-op agents: chorus's whole per-task overhead, against xargs
 * starting the same number of `true` processes, 8 at a time, with no tracker at all.
 */
export async function dispatchScenario(context: ScenarioContext): Promise<Row[]> {
  const { dispatch } = context.plan;
  const scratch = await makeScratchDir('dispatch');
  try {
    const options = { ...DEFAULT_SHAPE_OPTIONS, tasks: dispatch.tasks, width: dispatch.width };
    const tracker = await makeTracker(scratch, 'wide', 'wide', options);
    const settings = { maxAgents: dispatch.maxAgents, ...NO_OP_AGENT };
    context.log(`dispatch: ${formatCount(dispatch.tasks)} no-op tasks, width ${dispatch.width}`);
    const result = await interleave(
      [
        {
          name: CHORUS,
          run: (round) => runBatch(context, scratch, { round, tracker: tracker.file, tasks: dispatch.tasks, open: dispatch.tasks, settings, timeoutS: dispatch.timeoutS }),
        },
        {
          name: BASELINE,
          run: async (round) => {
            const run = await timeShell(`seq ${dispatch.tasks} | xargs -P ${dispatch.maxAgents} -n 1 true`, { timeoutS: dispatch.timeoutS });
            return checkRun(round, run, async () => ({}));
          },
        },
      ],
      { runs: dispatch.runs, budgetS: dispatch.budgetS },
    );
    return [
      compareRow(result, {
        scenario: 'dispatch',
        case: `${formatCount(dispatch.tasks)} no-op tasks, wide DAG (width ${dispatch.width}), ${dispatch.maxAgents} agents`,
        measure: 'wall',
        unit: 's',
        target: ratioTarget(2),
        figure: wallOf,
      }),
    ];
  } finally {
    await scratch.remove();
  }
}
