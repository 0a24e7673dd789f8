import { shellQuote, timeChorus, timeShell } from '../commands.js';
import { DEFAULT_SHAPE_OPTIONS } from '../generate/shapes.js';
import { describeRounds, interleave } from '../measure/repeat.js';
import { checkRun } from '../measure/sample.js';
import { maxTarget, type Row } from '../row.js';
import { makeRepo, makeScratchDir, makeTracker, removeRepo, type ScratchDir } from '../scratch-repo.js';
import { expectAllClosed } from '../tracker-facts.js';
import { CHORUS, compareRow, cpuOf, firstFailure, medianFigure } from './compare.js';
import { NO_OP_AGENT, type ScenarioContext } from './context.js';

const SHELL = 'sh -c true';
const FLOOR = 'a node process, a worker thread, a node child spawning true';

/**
 * `chorus run ID` on a one-task repository whose agent is `true`: everything chorus does to start
 * one agent and write its result, as CPU (user+sys of the whole process tree). The shell starting
 * the same `true` is shown for context; the floor is the three JavaScript engines chorus needs (its
 * main thread, the worker thread, the agent host process) doing nothing else.
 */
export async function startupScenario(context: ScenarioContext): Promise<Row[]> {
  const { startup } = context.plan;
  const scratch = await makeScratchDir('startup');
  try {
    const tracker = await makeTracker(scratch, 'one', 'chain', { ...DEFAULT_SHAPE_OPTIONS, tasks: 1 });
    context.log('startup: chorus run, one task, agent `true`');
    const result = await interleave(
      [
        { name: CHORUS, run: (round) => runChorus(context, scratch, tracker.file, round) },
        { name: SHELL, run: async (round) => checkRun(round, await timeShell('true', { timeoutS: startup.timeoutS }), async () => ({})) },
        {
          name: FLOOR,
          run: async (round) =>
            checkRun(round, await timeShell(`${shellQuote(process.execPath)} ${shellQuote(context.paths.startupFloor)}`, { timeoutS: startup.timeoutS }), async () => ({})),
        },
      ],
      { runs: startup.runs, budgetS: startup.budgetS },
    );
    const floor = medianFigure(result, FLOOR, cpuOf);
    const chorus = medianFigure(result, CHORUS, cpuOf);
    const row = compareRow(result, {
      scenario: 'startup',
      case: '`chorus run` of one task whose agent is `true`; baseline `sh -c true`',
      measure: 'CPU user+sys',
      unit: 's',
      target: maxTarget(0.45, 's'),
      figure: cpuOf,
      baselineSeries: SHELL,
    });
    const floorError = firstFailure(result, [FLOOR]);
    return [
      { ...row, note: [row.note, floor !== null ? `the floor (${FLOOR}): ${floor.toFixed(2)} s` : floorError].filter(Boolean).join('; ') },
      {
        ...compareRow(result, {
          scenario: 'startup',
          case: 'above the floor: `chorus run` minus a node process, a worker thread and a node child spawning `true`',
          measure: 'CPU user+sys',
          unit: 's',
          target: null,
          figure: cpuOf,
          baselineSeries: FLOOR,
        }),
        measure: `CPU user+sys, difference of medians, ${describeRounds(result)}`,
        chorus: chorus !== null && floor !== null ? chorus - floor : null,
        baseline: null,
        ratio: null,
      },
    ];
  } finally {
    await scratch.remove();
  }
}

async function runChorus(context: ScenarioContext, scratch: ScratchDir, tracker: string, round: number) {
  const repo = await makeRepo(scratch, `one-${round}`, tracker, { maxAgents: 1, ...NO_OP_AGENT });
  try {
    const run = await timeChorus(context.paths, repo.dir, ['run', 'bn-0'], { timeoutS: context.plan.startup.timeoutS });
    return await checkRun(round, run, async () => {
      await expectAllClosed(repo.issuesFile, 1, 1);
      return {};
    });
  } finally {
    await removeRepo(repo);
  }
}
