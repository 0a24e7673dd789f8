import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { shellQuote } from '../commands.js';
import { describeError } from '../errors.js';
import { formatCount } from '../format.js';
import { DEFAULT_SHAPE_OPTIONS } from '../generate/shapes.js';
import { median } from '../measure/repeat.js';
import { cpuSeconds, hasTmux, pidsMatching, rssMb, Terminal } from '../measure/terminal.js';
import { judgeRow, maxTarget, type Row } from '../row.js';
import { makeRepo, makeScratchDir, makeTracker, removeRepo, type ScratchDir } from '../scratch-repo.js';
import type { ScenarioContext } from './context.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `chorus dashboard`: one frame of the full grid over a big tracker, drawn in-process by the
 * dashboard's factory on fake streams; the CPU of a real dashboard (in tmux) while its agents
 * run and print nothing; its memory while it follows a log that grows by hundreds of MB.
 */
export async function dashboardScenario(context: ScenarioContext): Promise<Row[]> {
  const scratch = await makeScratchDir('dashboard');
  try {
    const rows = await frameRows(context, scratch);
    if (!hasTmux()) {
      const skip = 'tmux is not installed: the dashboard needs a terminal (apt-get install tmux)';
      rows.push(skipRow('first frame', skip), skipRow('key to screen', skip), skipRow('idle CPU', skip), skipRow('memory following a log', skip));
      return rows;
    }
    rows.push(await firstFrameRow(context, scratch));
    rows.push(await keyLatencyRow(context, scratch));
    rows.push(await idleRow(context, scratch));
    rows.push(await logMemoryRow(context, scratch));
    return rows;
  } finally {
    await scratch.remove();
  }
}

interface FrameFigures {
  tasks: number;
  shownRows: number;
  first: { wallMs: number; cpuMs: number };
  frames: { wallMs: number; cpuMs: number }[];
  check: string;
}

async function frameRows(context: ScenarioContext, scratch: ScratchDir): Promise<Row[]> {
  const { dashboard } = context.plan;
  const tracker = await makeTracker(scratch, 'dashboard-frame', 'random', { ...DEFAULT_SHAPE_OPTIONS, tasks: dashboard.tasks, closedShare: 0 });
  const size = `${dashboard.cols}x${dashboard.rows}`;
  context.log(`dashboard: ${dashboard.frames} frames of ${size} over ${formatCount(dashboard.tasks)} tasks`);
  const probe = path.join(context.paths.root, 'bench', 'probes', 'dashboard-frame.mjs');
  let figures: FrameFigures | undefined;
  let error: string | undefined;
  try {
    const { stdout } = await run(process.execPath, [probe, context.paths.root, tracker.file, String(dashboard.frames), String(dashboard.cols), String(dashboard.rows)], {
      timeout: dashboard.timeoutS * 1000,
      maxBuffer: 1 << 22,
    });
    figures = JSON.parse(stdout) as FrameFigures;
    if (figures.shownRows !== dashboard.tasks) error = `the task table shows ${figures.shownRows} tasks, not ${dashboard.tasks}: ${figures.check}`;
  } catch (caught) {
    error = `probe failed: ${describeError(caught)}`;
  }
  const walls = figures?.frames.map((f) => f.wallMs) ?? [];
  const cpus = figures?.frames.map((f) => f.cpuMs) ?? [];
  const p90 = walls.length ? [...walls].sort((a, b) => a - b)[Math.floor(walls.length * 0.9)]! : NaN;
  const base = { scenario: 'dashboard', unit: 'ms' as const, baseline: null, runs: { chorus: [], baseline: [] }, ...(error ? { error } : {}) };
  return [
    judgeRow({
      ...base,
      case: `one frame of the full grid (${size}) after an event, ${formatCount(dashboard.tasks)} tasks`,
      measure: `wall, median of ${dashboard.frames} frames`,
      chorus: figures ? median(walls) : null,
      target: maxTarget(20, 'ms'),
      note: figures ? `CPU per frame ${median(cpus).toFixed(1)} ms (median); wall p90 ${p90.toFixed(1)} ms` : undefined,
      ...(figures ? { details: { frames: figures.frames } } : {}),
    }),
    judgeRow({
      ...base,
      case: `the first frame: every row worked out, ${formatCount(dashboard.tasks)} tasks`,
      measure: 'wall, 1 frame',
      chorus: figures ? figures.first.wallMs : null,
      target: null,
      note: figures ? `CPU ${figures.first.cpuMs.toFixed(0)} ms` : undefined,
    }),
  ];
}

/** The chorus dashboard process working on `dir` (its command line names it). */
async function dashboardPid(chorusBin: string, dir: string, timeoutS: number): Promise<number> {
  const until = Date.now() + timeoutS * 1000;
  for (;;) {
    // Anchored: the terminal's shell and tmux itself hold the same words in their command lines.
    const pids = pidsMatching(`^${process.execPath} ${chorusBin} -C ${dir} dashboard`);
    if (pids.length === 1) return pids[0]!;
    if (Date.now() > until) throw new Error(`expected one chorus dashboard process for ${dir}, found ${pids.length}`);
    await sleep(100);
  }
}

function dashboardCommand(context: ScenarioContext, dir: string): string {
  return `${shellQuote(process.execPath)} ${shellQuote(context.paths.chorusBin)} -C ${shellQuote(dir)} dashboard; exec sleep 600`;
}

/** q (and y when agents still run), then waits for the dashboard to be gone. */
async function quit(terminal: Terminal, context: ScenarioContext, dir: string): Promise<void> {
  terminal.type('q');
  await sleep(300);
  if (terminal.screen().includes('y = yes')) terminal.type('y');
  const until = Date.now() + 20_000;
  while (pidsMatching(`^${process.execPath} ${context.paths.chorusBin} -C ${dir} dashboard`).length > 0 && Date.now() < until) await sleep(100);
}

/** The screen as tmux holds it, as fast as tmux answers: for times a person would see. */
async function timeUntil(terminal: Terminal, predicate: (screen: string) => boolean, what: string, timeoutS: number, t0 = performance.now()): Promise<{ ms: number; screen: string }> {
  for (;;) {
    const screen = terminal.screen();
    const ms = performance.now() - t0;
    if (predicate(screen)) return { ms, screen };
    if (ms > timeoutS * 1000) throw new Error(`the dashboard never showed ${what} within ${timeoutS} s; its screen:\n${screen}`);
    // Let the harness's own timers run; a capture takes a few ms, so polling stays fine-grained.
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * A real `chorus dashboard` started in tmux over the big tracker, as a person starts it: the time
 * from the terminal's start to the first thing on its screen (the command's own start, reading
 * the tracker, or a frame saying it is being read), and to the grid with every task (the note).
 */
async function firstFrameRow(context: ScenarioContext, scratch: ScratchDir): Promise<Row> {
  const { dashboard } = context.plan;
  const label = `the first frame in a terminal (tmux), ${formatCount(dashboard.tasks)} tasks`;
  context.log(`dashboard: ${label}`);
  const tracker = await makeTracker(scratch, 'dashboard-start', 'random', { ...DEFAULT_SHAPE_OPTIONS, tasks: dashboard.tasks, closedShare: 0 });
  const firsts: number[] = [];
  const grids: number[] = [];
  try {
    for (let round = 0; round < dashboard.starts; round++) {
      // A fresh copy each round. No agent starts (autoAssign off): the start path up to the grid is the same, and q then ends it at once.
      const repo = await makeRepo(scratch, 'dashboard-start', tracker.file, { maxAgents: dashboard.agents, autoAssign: false, agentCommand: 'sleep', agentArgs: ['600'] });
      const t0 = performance.now();
      const terminal = new Terminal(dashboardCommand(context, repo.dir), 120, 35);
      try {
        const first = await timeUntil(terminal, (s) => s.trim() !== '', 'anything', dashboard.timeoutS, t0);
        // What shows first must be chorus's own frame, never a half-drawn or wrong one.
        if (!/^chorus dashboard · /.test(first.screen)) throw new Error(`the first screen is not the dashboard's:\n${first.screen}`);
        firsts.push(first.ms);
        const tasks = new RegExp(`Tasks · ${dashboard.tasks}\\b`);
        grids.push((await timeUntil(terminal, (s) => tasks.test(s), `the grid with ${dashboard.tasks} tasks`, dashboard.timeoutS, t0)).ms);
        await quit(terminal, context, repo.dir);
      } finally {
        terminal.close();
        await removeRepo(repo);
      }
    }
  } catch (caught) {
    return errorRow(label, 'wall to the first frame', 'ms', caught);
  }
  return judgeRow({
    scenario: 'dashboard',
    case: label,
    measure: `wall from the terminal's start, median of ${firsts.length}`,
    unit: 'ms',
    chorus: median(firsts),
    baseline: null,
    target: maxTarget(500, 'ms'),
    note: `the grid with every task after ${median(grids).toFixed(0)} ms (median)`,
    runs: { chorus: [], baseline: [] },
    details: { firstMs: firsts, gridMs: grids },
  });
}

/**
 * A key as a person's arrives: typed through tmux into a dashboard over the big tracker whose
 * agents print all the time (frames follow their output), timed until tmux's screen shows its
 * answer (the selection moved). j and k alternate; a pause between keys so none waits on another.
 */
async function keyLatencyRow(context: ScenarioContext, scratch: ScratchDir): Promise<Row> {
  const { dashboard } = context.plan;
  const label = `key to screen on a busy run: ${dashboard.agents} agents printing, ${formatCount(dashboard.tasks)} tasks`;
  context.log(`dashboard: ${label}`);
  const tracker = await makeTracker(scratch, 'dashboard-keys', 'random', { ...DEFAULT_SHAPE_OPTIONS, tasks: dashboard.tasks, closedShare: 0 });
  // Ten lines a second from each agent, for as long as the row needs.
  const chatty = 'i=0; while :; do i=$((i+1)); echo "step $i: reading src/cart.ts, running npm test"; sleep 0.1; done';
  const repo = await makeRepo(scratch, 'dashboard-keys', tracker.file, { maxAgents: dashboard.agents, agentCommand: '/bin/sh', agentArgs: ['-c', chatty] });
  const terminal = new Terminal(dashboardCommand(context, repo.dir), 120, 35);
  const selected = (screen: string) => /^› (\S+)/m.exec(screen)?.[1];
  const latencies: number[] = [];
  const captures: number[] = [];
  try {
    const busy = new RegExp(`${dashboard.agents}/${dashboard.agents} busy`);
    await terminal.waitFor((s) => busy.test(s) && selected(s) !== undefined, `${dashboard.agents} agents busy`, dashboard.timeoutS);
    await sleep(1_000);
    for (let i = 0; i < dashboard.keys; i++) {
      const before = selected(terminal.screen());
      const t0 = performance.now();
      terminal.type(i % 2 === 0 ? 'j' : 'k');
      latencies.push((await timeUntil(terminal, (s) => selected(s) !== before, `the selection move from ${before} on key ${i + 1}`, 10, t0)).ms);
      // What one look at the screen costs tmux here: the figure cannot be finer than that.
      const c0 = performance.now();
      terminal.screen();
      captures.push(performance.now() - c0);
      await sleep(150 + ((i * 37) % 100));
    }
    await quit(terminal, context, repo.dir);
  } catch (caught) {
    return errorRow(label, 'key to screen', 'ms', caught);
  } finally {
    terminal.close();
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  return judgeRow({
    scenario: 'dashboard',
    case: label,
    measure: `wall from tmux send-keys to tmux's screen changed, median of ${latencies.length}`,
    unit: 'ms',
    chorus: median(latencies),
    baseline: null,
    target: maxTarget(50, 'ms'),
    note: `p90 ${sorted[Math.floor(sorted.length * 0.9)]!.toFixed(0)} ms, slowest ${sorted.at(-1)!.toFixed(0)} ms; one capture-pane takes ${median(captures).toFixed(0)} ms (median)`,
    runs: { chorus: [], baseline: [] },
    details: { latenciesMs: latencies },
  });
}

async function idleRow(context: ScenarioContext, scratch: ScratchDir): Promise<Row> {
  const { dashboard } = context.plan;
  const label = `idle ${dashboard.idleS} s: ${dashboard.agents} agents running, printing nothing`;
  context.log(`dashboard: ${label}`);
  const tracker = await makeTracker(scratch, 'dashboard-idle', 'wide', { ...DEFAULT_SHAPE_OPTIONS, tasks: dashboard.agents, width: dashboard.agents });
  const repo = await makeRepo(scratch, 'dashboard-idle', tracker.file, { maxAgents: dashboard.agents, agentCommand: 'sleep', agentArgs: [String(dashboard.idleS + 60)] });
  const terminal = new Terminal(dashboardCommand(context, repo.dir), 100, 30);
  const busy = new RegExp(`${dashboard.agents}/${dashboard.agents} busy`);
  try {
    await terminal.waitFor((s) => busy.test(s), `${dashboard.agents} agents busy`, dashboard.timeoutS);
    const pid = await dashboardPid(context.paths.chorusBin, repo.dir, 10);
    // The window opens once the start has settled: the first frames, the worker thread's start,
    // V8 compiling the frame code, and its memory reducer's full collections of both heaps, which
    // run once about 8 s after the start (a quarter of a second here). What the start costs until
    // then is shown in the note; the first-frame row judges the start.
    const settleStart = cpuSeconds(pid);
    await sleep(dashboard.idleSettleS * 1000);
    const cpu0 = cpuSeconds(pid);
    const settling = cpu0 - settleStart;
    const t0 = performance.now();
    await sleep(dashboard.idleS * 1000);
    const cpu = cpuSeconds(pid) - cpu0;
    const wallS = (performance.now() - t0) / 1000;
    const still = busy.test(terminal.screen());
    await quit(terminal, context, repo.dir);
    return judgeRow({
      scenario: 'dashboard',
      case: label,
      measure: 'CPU share of one core, /proc utime+stime of the chorus process',
      unit: '%',
      chorus: (cpu / wallS) * 100,
      baseline: null,
      target: maxTarget(1, '%'),
      ...(still ? {} : { error: 'the agents were not all running through the window' }),
      note: `${cpu.toFixed(2)} s of CPU in ${wallS.toFixed(1)} s; in the ${dashboard.idleSettleS} s before the window, as the start settled: ${settling.toFixed(2)} s`,
      runs: { chorus: [], baseline: [] },
    });
  } catch (caught) {
    return errorRow(label, 'CPU share of one core', '%', caught);
  } finally {
    terminal.close();
  }
}

async function logMemoryRow(context: ScenarioContext, scratch: ScratchDir): Promise<Row> {
  const { dashboard } = context.plan;
  const label = `following a log that grows by ${dashboard.logMB} MB`;
  context.log(`dashboard: ${label}`);
  const tracker = await makeTracker(scratch, 'dashboard-log', 'chain', { ...DEFAULT_SHAPE_OPTIONS, tasks: 1 });
  // The agent waits before it floods, so the dashboard's memory is read first.
  const flood = `sleep 3; exec ${shellQuote(process.execPath)} ${shellQuote(context.paths.floodAgent)}`;
  const repo = await makeRepo(scratch, 'dashboard-log', tracker.file, {
    maxAgents: 1,
    agentCommand: '/bin/sh',
    agentArgs: ['-c', flood],
    agentEnv: { FIXTURE_FLOOD_MB: String(dashboard.logMB) },
  });
  const log = path.join(repo.dir, '.beads', 'agent-output', 'bn-0.log');
  const lastLine = `flood: wrote ${dashboard.logMB} MiB`;
  const terminal = new Terminal(dashboardCommand(context, repo.dir), 100, 30);
  try {
    await terminal.waitFor((s) => /1\/1 busy/.test(s), 'the agent running', dashboard.timeoutS);
    const pid = await dashboardPid(context.paths.chorusBin, repo.dir, 10);
    await sleep(1_000);
    const start = rssMb(pid);
    let peak = start;
    const until = Date.now() + dashboard.timeoutS * 1000;
    // Until the log holds the whole flood and the log pane shows its last line.
    for (;;) {
      peak = Math.max(peak, rssMb(pid));
      const size = (await stat(log).catch(() => null))?.size ?? 0;
      if (size >= dashboard.logMB * 2 ** 20 && terminal.screen().includes(lastLine)) break;
      if (Date.now() > until) throw new Error(`the log pane never showed "${lastLine}" (log ${formatCount(size)} bytes)`);
      await sleep(100);
    }
    await sleep(1_000);
    const after = rssMb(pid);
    peak = Math.max(peak, after);
    await quit(terminal, context, repo.dir);
    return judgeRow({
      scenario: 'dashboard',
      case: label,
      measure: 'RSS after, above the RSS before (/proc VmRSS)',
      unit: 'MB',
      chorus: after - start,
      baseline: null,
      target: maxTarget(50, 'MB'),
      note: `RSS before ${start.toFixed(0)} MB, after ${after.toFixed(0)} MB, highest seen while following ${peak.toFixed(0)} MB (+${(peak - start).toFixed(0)} MB)`,
      runs: { chorus: [], baseline: [] },
    });
  } catch (caught) {
    return errorRow(label, 'RSS above start', 'MB', caught);
  } finally {
    terminal.close();
  }
}

function errorRow(label: string, measure: string, unit: Row['unit'], caught: unknown): Row {
  return judgeRow({ scenario: 'dashboard', case: label, measure, unit, chorus: null, baseline: null, target: null, error: describeError(caught), runs: { chorus: [], baseline: [] } });
}

function skipRow(label: string, why: string): Row {
  return judgeRow({ scenario: 'dashboard', case: label, measure: '—', unit: 's', chorus: null, baseline: null, target: null, skip: why, runs: { chorus: [], baseline: [] } });
}
