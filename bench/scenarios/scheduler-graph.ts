import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { formatCount } from '../format.js';
import { DEFAULT_SHAPE_OPTIONS } from '../generate/shapes.js';
import { judgeRow, type Row } from '../row.js';
import { makeScratchDir, makeTracker } from '../scratch-repo.js';
import type { ScenarioContext } from './context.js';

const run = promisify(execFile);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Building the scheduler's graph of remaining work (graphlib) for a big synthetic tracker: with
 * the open share real trackers have (~5%) and with every task open. The baseline is chorus's
 * own index of the whole tracker, built from the same tasks in the same process: the ratio is
 * what the second structure adds. No target: the dispatch row says whether scheduling got slower.
 */
export async function schedulerGraphScenario(context: ScenarioContext): Promise<Row[]> {
  const { schedulerGraph } = context.plan;
  const scratch = await makeScratchDir('scheduler-graph');
  const probe = path.join(context.paths.root, 'bench', 'probes', 'scheduler-graph.mjs');
  const rows: Row[] = [];
  try {
    for (const [label, closedShare] of [['~5% open', 0.95], ['every task open', 0]] as const) {
      const options = { ...DEFAULT_SHAPE_OPTIONS, tasks: schedulerGraph.tasks, closedShare };
      const tracker = await makeTracker(scratch, `scheduler-${closedShare}`, 'random', options);
      context.log(`scheduler-graph: ${formatCount(schedulerGraph.tasks)} tasks, ${label}`);
      let figures: { indexS: number[]; schedulerS: number[]; nodes: number; edges: number } | undefined;
      let error: string | undefined;
      try {
        const { stdout } = await run(process.execPath, [probe, context.paths.root, tracker.file, String(schedulerGraph.runs)], {
          timeout: schedulerGraph.timeoutS * 1000,
          maxBuffer: 1 << 20,
        });
        figures = JSON.parse(stdout) as typeof figures;
      } catch (caught) {
        error = `probe failed: ${(caught as Error).message}`;
      }
      rows.push(
        judgeRow({
          scenario: 'scheduler-graph',
          case: `build, ${formatCount(schedulerGraph.tasks)} tasks, ${label}${figures ? ` (${formatCount(figures.nodes)} nodes, ${formatCount(figures.edges)} edges)` : ''}`,
          measure: `wall, median of ${schedulerGraph.runs}; baseline: the tracker index`,
          unit: 's',
          chorus: figures ? median(figures.schedulerS) : null,
          baseline: figures ? median(figures.indexS) : null,
          target: null,
          ...(error ? { error } : {}),
          runs: { chorus: [], baseline: [] },
          ...(figures ? { details: figures } : {}),
        }),
      );
    }
    return rows;
  } finally {
    await scratch.remove();
  }
}
