import { open, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { shellQuote, timeChorus, timeShell } from '../commands.js';
import { BenchError } from '../errors.js';
import { formatCount } from '../format.js';
import { DEFAULT_SHAPE_OPTIONS } from '../generate/shapes.js';
import { interleave } from '../measure/repeat.js';
import { checkRun, type Facts } from '../measure/sample.js';
import { ratioTarget, type Row } from '../row.js';
import { makeRepo, makeScratchDir, makeTracker, removeRepo, type ScratchDir } from '../scratch-repo.js';
import { expectAllClosed } from '../tracker-facts.js';
import { BASELINE, CHORUS, compareRow, cpuOf, firstFailure, medianFigure, rssMbOf } from './compare.js';
import { judgeRow } from '../row.js';
import type { ScenarioContext } from './context.js';

/** The header chorus writes before each attempt's output is small; anything beyond this is not the agent's output. */
const MAX_LOG_OVERHEAD = 4096;

/**
 * An agent that floods stdout: what chorus spends (CPU, memory) carrying its output to the
 * log, against the shell doing the same redirect. Peak RSS must not grow with the output.
 */
export async function outputScenario(context: ScenarioContext): Promise<Row[]> {
  const { output } = context.plan;
  const scratch = await makeScratchDir('output');
  try {
    const tracker = await makeTracker(scratch, 'one', 'chain', { ...DEFAULT_SHAPE_OPTIONS, tasks: 1 });
    const payload = output.megabytes * 2 ** 20 + Buffer.byteLength(lastLine(output.megabytes));
    context.log(`output: one agent printing ${output.megabytes} MB`);
    const emptyPayload = Buffer.byteLength(lastLine(0));
    const result = await interleave(
      [
        { name: CHORUS, run: (round) => runChorus(context, scratch, tracker.file, round, payload, output.megabytes) },
        { name: BASELINE, run: (round) => runBaseline(context, scratch, round, payload, output.megabytes) },
        // The same agent printing nothing: what each side costs before any output.
        { name: EMPTY_CHORUS, run: (round) => runChorus(context, scratch, tracker.file, round, emptyPayload, 0) },
        { name: EMPTY_BASELINE, run: (round) => runBaseline(context, scratch, round, emptyPayload, 0) },
        // The least a process of chorus's shape holds: one worker thread spawning the agent to the file.
        { name: FLOOR, run: (round) => runBaseline(context, scratch, round, payload, output.megabytes, threadSpawn(context)) },
      ],
      { runs: output.runs, budgetS: output.budgetS },
    );
    const label = `${output.megabytes} MB agent stdout; baseline sh redirect`;
    return [
      compareRow(result, { scenario: 'output', case: label, measure: 'CPU user+sys', unit: 's', target: ratioTarget(1.3), figure: cpuOf }),
      compareRow(result, { scenario: 'output', case: label, measure: RSS_MEASURE, unit: 'MB', target: ratioTarget(1.3), figure: rssMbOf }),
      compareRow(result, {
        scenario: 'output',
        case: `floor: a Node process whose one worker thread spawns the agent to the file (bench/baselines/thread-spawn.mjs); baseline sh redirect`,
        measure: RSS_MEASURE,
        unit: 'MB',
        target: null,
        figure: rssMbOf,
        chorusSeries: FLOOR,
      }),
      marginalRow(result, output.megabytes),
    ];
  } finally {
    await scratch.remove();
  }
}

const lastLine = (megabytes: number): string => `flood: wrote ${megabytes} MiB\n`;
const FLOOR = 'floor, one worker thread spawning the agent';
/**
 * GNU time's %M on both sides: the ru_maxrss wait4 gives for the command, the largest peak RSS of
 * any one process of the tree it reaped (chorus, its agent host, the agent; sh and the agent), not a sum.
 */
const RSS_MEASURE = 'peak RSS of the largest process (GNU time %M)';
const threadSpawn = (context: ScenarioContext): string => path.join(context.paths.root, 'bench/baselines/thread-spawn.mjs');
const EMPTY_CHORUS = 'chorus, agent printing nothing';
const EMPTY_BASELINE = 'baseline, agent printing nothing';

/**
 * The CPU the output itself costs: each side's median with the flood minus its median with an
 * agent that prints nothing. Start-up (a Node process, a thread, the agent host) is the same
 * whatever the agent prints, and is what the plain ratio mostly measures for a cheap agent.
 */
function marginalRow(result: Awaited<ReturnType<typeof interleave<RunSampleOf>>>, megabytes: number) {
  const series = [CHORUS, BASELINE, EMPTY_CHORUS, EMPTY_BASELINE];
  const [full, base, emptyFull, emptyBase] = series.map((name) => medianFigure(result, name, cpuOf) ?? NaN) as [number, number, number, number];
  const ok = [full, base, emptyFull, emptyBase].every(Number.isFinite);
  return judgeRow({
    scenario: 'output',
    case: `CPU of the ${megabytes} MB alone (each side minus its run with an agent printing nothing)`,
    measure: 'CPU user+sys, difference of medians',
    unit: 's',
    chorus: ok ? full - emptyFull : null,
    baseline: ok ? base - emptyBase : null,
    target: null,
    error: firstFailure(result, series),
    note: ok ? `start-up alone: chorus ${emptyFull.toFixed(2)} s, baseline ${emptyBase.toFixed(2)} s` : undefined,
    runs: { chorus: [...(result.samples.get(CHORUS) ?? []), ...(result.samples.get(EMPTY_CHORUS) ?? [])], baseline: [...(result.samples.get(BASELINE) ?? []), ...(result.samples.get(EMPTY_BASELINE) ?? [])] },
  });
}
type RunSampleOf = Awaited<ReturnType<typeof runChorus>>;

async function runChorus(context: ScenarioContext, scratch: ScratchDir, tracker: string, round: number, payload: number, megabytes: number) {
  const { output } = context.plan;
  const repo = await makeRepo(scratch, 'one', tracker, {
    maxAgents: 1,
    agentCommand: process.execPath,
    agentArgs: [context.paths.floodAgent],
    agentEnv: { FIXTURE_FLOOD_MB: String(megabytes) },
  });
  try {
    const run = await timeChorus(context.paths, repo.dir, ['run', 'bn-0'], { timeoutS: output.timeoutS });
    return await checkRun(round, run, async () => {
      await expectAllClosed(repo.issuesFile, 1, 1);
      return checkOutputFile(path.join(repo.dir, '.beads/agent-output/bn-0.log'), payload, megabytes, MAX_LOG_OVERHEAD);
    });
  } finally {
    await removeRepo(repo);
  }
}

/** The agent's output to a file by `sh -c 'agent > file'`, or, given `spawner`, by `node spawner file agent` run from sh. */
async function runBaseline(context: ScenarioContext, scratch: ScratchDir, round: number, payload: number, megabytes: number, spawner?: string) {
  const { output } = context.plan;
  const file = path.join(scratch.dir, 'baseline-output');
  const agent = `${shellQuote(process.execPath)} ${shellQuote(context.paths.floodAgent)}`;
  const script = spawner
    ? `FIXTURE_FLOOD_MB=${megabytes} ${shellQuote(process.execPath)} ${shellQuote(spawner)} ${shellQuote(file)} ${agent}`
    : `FIXTURE_FLOOD_MB=${megabytes} ${agent} > ${shellQuote(file)}`;
  try {
    const run = await timeShell(script, { timeoutS: output.timeoutS });
    return await checkRun(round, run, () => checkOutputFile(file, payload, megabytes, 0));
  } finally {
    await rm(file, { force: true });
  }
}

/** Throws unless `file` holds the whole flood: `payload` bytes (plus at most `overhead` of headers), ending with its last line. */
async function checkOutputFile(file: string, payload: number, megabytes: number, overhead: number): Promise<Facts> {
  const { size } = await stat(file).catch((cause: unknown) => {
    throw new BenchError('BENCH_VERIFY', `no output file at ${file}`, { cause });
  });
  if (size < payload || size > payload + overhead) {
    throw new BenchError('BENCH_VERIFY', `${path.basename(file)} has ${formatCount(size)} bytes; the agent printed ${formatCount(payload)}`);
  }
  const tail = Buffer.alloc(64);
  const handle = await open(file, 'r');
  try {
    const { bytesRead } = await handle.read(tail, 0, tail.length, Math.max(0, size - tail.length));
    if (!tail.subarray(0, bytesRead).toString('utf8').endsWith(lastLine(megabytes))) {
      throw new BenchError('BENCH_VERIFY', `${path.basename(file)} does not end with the agent's last line`);
    }
  } finally {
    await handle.close();
  }
  return { outputBytes: size };
}
