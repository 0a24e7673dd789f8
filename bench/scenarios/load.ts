import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { timeChorus } from '../commands.js';
import { BenchError } from '../errors.js';
import { expectedCounts } from '../expected-counts.js';
import { DEFAULT_SHAPE_OPTIONS } from '../generate/shapes.js';
import { timeCommand } from '../measure/gnu-time.js';
import { interleave } from '../measure/repeat.js';
import { checkRun } from '../measure/sample.js';
import { readReadyCount } from '../chorus-output.js';
import { judgeRow, ratioTarget, type Row } from '../row.js';
import { makeRepo, makeScratchDir, makeTracker, type ScratchDir } from '../scratch-repo.js';
import { BASELINE, CHORUS, compareRow, wallOf } from './compare.js';
import { NO_OP_AGENT, type ScenarioContext } from './context.js';
import { formatCount, toMb } from '../format.js';

const TARGET = ratioTarget(1.5);

/** `chorus ready --json` against a script that only reads and JSON.parses each line: the cost of everything chorus adds. */
export async function loadScenario(context: ScenarioContext): Promise<Row[]> {
  const scratch = await makeScratchDir('load');
  try {
    const { load } = context.plan;
    const rows = [await loadReal(context, scratch, load.budgetS / 4)];
    const options = { ...DEFAULT_SHAPE_OPTIONS, tasks: load.tasks, closedShare: load.closedShare };
    context.log(`load: generating ${formatCount(load.tasks)} tasks`);
    const tracker = await makeTracker(scratch, 'synthetic', 'random', options);
    const expected = expectedCounts('random', options);
    const label = `synthetic: ${formatCount(load.tasks)} tasks, ${formatCount(tracker.edges)} edges (${toMb(tracker.bytes).toFixed(0)} MB)`;
    rows.push(await loadCase(context, scratch, { label, tracker: tracker.file, lines: load.tasks, ready: expected.ready, budgetS: (load.budgetS * 3) / 4 }));
    return rows;
  } finally {
    await scratch.remove();
  }
}

async function loadReal(context: ScenarioContext, scratch: ScratchDir, budgetS: number): Promise<Row> {
  const file = await largestFixture(context.paths.realFixtures);
  if (!file) {
    return judgeRow({
      scenario: 'load', case: 'real fixture', measure: 'wall', unit: 's', chorus: null, baseline: null, target: TARGET,
      skip: `no real Beads fixtures at ${context.paths.realFixtures}`, runs: { chorus: [], baseline: [] },
    });
  }
  const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => line.trim() !== '').length;
  const label = `real: ${path.basename(file)} (${formatCount(lines)} tasks)`;
  return loadCase(context, scratch, { label, tracker: file, lines, ready: null, budgetS });
}

/** The largest `.jsonl` file in the fixtures folder, or null when the folder is absent or empty. */
async function largestFixture(dir: string): Promise<string | null> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let best: { file: string; size: number } | null = null;
  for (const name of names.filter((n) => n.endsWith('.jsonl'))) {
    const file = path.join(dir, name);
    const { size } = await stat(file);
    if (!best || size > best.size) best = { file, size };
  }
  return best?.file ?? null;
}

interface LoadCase {
  label: string;
  tracker: string;
  /** Lines the baseline must report parsing. */
  lines: number;
  /** Tasks `ready` must list, when the harness can work it out (synthetic trackers). */
  ready: number | null;
  budgetS: number;
}

async function loadCase(context: ScenarioContext, scratch: ScratchDir, spec: LoadCase): Promise<Row> {
  const { load } = context.plan;
  const stdoutFile = path.join(scratch.dir, 'stdout');
  const readyCounts = new Set<number>();
  context.log(`load: ${spec.label}`);
  const result = await interleave(
    [
      {
        name: CHORUS,
        run: async (round) => {
          // A fresh repository each run, so nothing chorus might keep beside the tracker (a cache) makes later runs faster.
          const repo = await makeRepo(scratch, 'load', spec.tracker, { maxAgents: 8, ...NO_OP_AGENT });
          const run = await timeChorus(context.paths, repo.dir, ['ready', '--json'], { stdoutFile, timeoutS: load.timeoutS });
          return checkRun(round, run, async () => {
            const ready = await readReadyCount(stdoutFile, spec.ready);
            readyCounts.add(ready);
            if (readyCounts.size > 1) throw new BenchError('BENCH_VERIFY', `ready listed ${[...readyCounts].join(' then ')} tasks in runs of the same file`);
            return { ready };
          });
        },
      },
      {
        name: BASELINE,
        run: async (round) => {
          // The tracker chorus's copy was made from: as warm in the page cache as that copy.
          const run = await timeCommand(process.execPath, [context.paths.parseLinesBaseline, spec.tracker], { stdoutFile, timeoutS: load.timeoutS });
          return checkRun(round, run, async () => {
            const parsed = Number((await readFile(stdoutFile, 'utf8')).trim());
            if (parsed !== spec.lines) throw new BenchError('BENCH_VERIFY', `the baseline parsed ${parsed} lines, not ${spec.lines}`);
            return { parsed };
          });
        },
      },
    ],
    { runs: load.runs, budgetS: spec.budgetS },
  );
  await rm(stdoutFile, { force: true });
  const ready = [...readyCounts][0];
  return compareRow(result, {
    scenario: 'load',
    case: spec.label,
    measure: 'wall',
    unit: 's',
    target: TARGET,
    figure: wallOf,
    note: ready === undefined ? undefined : `${formatCount(ready)} ready`,
  });
}
