import { shellQuote, timeShell } from '../commands.js';
import { formatCount } from '../format.js';
import { DEFAULT_SHAPE_OPTIONS } from '../generate/shapes.js';
import { median } from '../measure/repeat.js';
import { cpuInWindow } from '../measure/group-cpu.js';
import { checkRun } from '../measure/sample.js';
import { judgeRow, maxTarget, type Row } from '../row.js';
import { makeScratchDir, makeTracker } from '../scratch-repo.js';
import type { ScenarioContext } from './context.js';
import { runBatch } from './run-batch.js';

/** While every agent sleeps chorus has nothing to do, so any CPU it burns is polling or busy-waiting. */
export async function idleScenario(context: ScenarioContext): Promise<Row[]> {
  const { idle } = context.plan;
  const scratch = await makeScratchDir('idle');
  try {
    // One wide layer: no edges, every task ready at once.
    const tracker = await makeTracker(scratch, 'idle', 'wide', { ...DEFAULT_SHAPE_OPTIONS, tasks: idle.agents, width: idle.agents });
    const label = `${formatCount(idle.agents)} agents \`sleep ${idle.sleepS}\`, batch`;
    context.log(`idle: ${label}`);
    // While the agents sleep, read from /proc over a window that leaves out the start (the agents
    // are running well before it opens) and the finish: the difference of two whole runs below
    // carries their start-up noise (±0.2 s on a loaded machine), larger than the 0.1 s target.
    const window = { fromS: Math.min(5, idle.sleepS / 4), toS: idle.sleepS - Math.min(2, idle.sleepS / 5) };
    let windowCpu: Promise<number> | undefined;
    const sample = await runBatch(context, scratch, {
      round: 0,
      tracker: tracker.file,
      tasks: idle.agents,
      open: idle.agents,
      settings: { maxAgents: idle.agents, agentCommand: 'sleep', agentArgs: [String(idle.sleepS)] },
      timeoutS: idle.timeoutS,
      onStart: (pgid) => (windowCpu = cpuInWindow(pgid, window.fromS, window.toS)),
    });
    const sleepingCpu = windowCpu ? await windowCpu.catch(() => null) : null;
    const windowS = window.toS - window.fromS;
    // A batch that ends before its agents could have slept ran them wrong, whatever it reports.
    const tooShort = sample.ok && sample.wallS < idle.sleepS;
    // The same batch with agents that end at once: chorus's start and finish alone (cheap, so the
    // median of three, which one sleeping run's noise of ~0.05 s still shows through).
    const quicks = [];
    // The floor of that start and finish (interleaved with it): a Node process, a worker thread and a
    // Node child spawning the same 8 `sleep 0`, nothing else (bench/baselines/startup-floor.mjs).
    const floors = [];
    const floorScript = `${shellQuote(process.execPath)} ${shellQuote(context.paths.startupFloor)} ${idle.agents} sleep 0`;
    for (let round = 1; round <= 3; round += 1) {
      quicks.push(
        await runBatch(context, scratch, {
          round,
          tracker: tracker.file,
          tasks: idle.agents,
          open: idle.agents,
          settings: { maxAgents: idle.agents, agentCommand: 'sleep', agentArgs: ['0'] },
          timeoutS: idle.timeoutS,
        }),
      );
      floors.push(await checkRun(round, await timeShell(floorScript, { timeoutS: idle.timeoutS }), async () => ({})));
    }
    const quick = quicks.find((q) => !q.ok) ?? { ...quicks[0]!, cpuS: median(quicks.map((q) => q.cpuS)) };
    const floor = floors.find((f) => !f.ok) ?? { ...floors[0]!, cpuS: median(floors.map((f) => f.cpuS)) };
    const bothOk = sample.ok && quick.ok && !tooShort;
    return [
      judgeRow({
        scenario: 'idle',
        case: label,
        measure: 'CPU user+sys, 1 run',
        unit: 's',
        chorus: sample.ok ? sample.cpuS : null,
        baseline: null,
        // Issue 22: start, 20 s of sleep and finish within 0.5 s; the sleep alone within 0.1 s (next row).
        target: maxTarget(0.5, 's'),
        error: !sample.ok ? `chorus run: ${sample.error}` : tooShort ? `the batch took ${sample.wallS} s, less than one sleep` : undefined,
        note: sample.ok ? `wall ${sample.wallS.toFixed(1)} s` : undefined,
        runs: { chorus: [sample], baseline: [] },
      }),
      judgeRow({
        scenario: 'idle',
        case: `while the agents sleep: chorus and its agent host from ${window.fromS} s to ${window.toS} s of the batch, per ${idle.sleepS} s`,
        measure: 'CPU user+sys from /proc, 1 run',
        unit: 's',
        chorus: sample.ok && !tooShort && sleepingCpu !== null ? (sleepingCpu * idle.sleepS) / windowS : null,
        baseline: null,
        target: maxTarget(0.1, 's'),
        error: !sample.ok ? `chorus run: ${sample.error}` : sleepingCpu === null ? 'could not read the run\'s CPU from /proc' : undefined,
        note: sleepingCpu !== null ? `${sleepingCpu.toFixed(2)} s over ${windowS} s` : undefined,
        runs: { chorus: [sample], baseline: [] },
      }),
      judgeRow({
        scenario: 'idle',
        case: `while the agents sleep: the ${idle.sleepS} s batch minus the same batch with \`sleep 0\``,
        measure: 'CPU user+sys, 1 run minus median of 3',
        unit: 's',
        chorus: bothOk ? sample.cpuS - quick.cpuS : null,
        baseline: null,
        target: null,
        error: !quick.ok ? `chorus run with sleep 0: ${quick.error}` : undefined,
        note: bothOk ? `start and finish alone (sleep 0): ${quick.cpuS.toFixed(2)} s` : undefined,
        runs: { chorus: [sample, ...quicks], baseline: [] },
      }),
      judgeRow({
        scenario: 'idle',
        case: `start and finish: the same batch with \`sleep 0\`; baseline the floor (a node process, a worker thread, a node child spawning ${idle.agents} \`sleep 0\`)`,
        measure: 'CPU user+sys above the floor, median of 3 each',
        unit: 's',
        chorus: quick.ok && floor.ok ? quick.cpuS - floor.cpuS : null,
        baseline: null,
        target: maxTarget(0.1, 's'),
        error: !quick.ok ? `chorus run with sleep 0: ${quick.error}` : !floor.ok ? `floor run: ${floor.error}` : undefined,
        note: quick.ok && floor.ok ? `chorus ${quick.cpuS.toFixed(2)} s, the floor ${floor.cpuS.toFixed(2)} s` : undefined,
        runs: { chorus: quicks, baseline: floors },
      }),
    ];
  } finally {
    await scratch.remove();
  }
}
