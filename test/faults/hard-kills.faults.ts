import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { readCallLog, readStandinById, seedStandin, standinDataFile, standinEnv } from '../helpers/bd-standin.js';
import { AGENTS, CLI, bead, blocks, makeRepo } from '../helpers/temp-repo.js';
import { readProcStat } from '../../lib/process/processes.js';

// The fault-injection run (`npm run test:faults`): a batch of 120 tasks is killed with SIGKILL at
// random moments, and started again at once each time, until all are done. Then it prints what
// happened and fails unless every figure is as the README promises. The kill moments come from a
// seed (printed; FAULT_SEED=N replays them): 100 ms to 4 s into each run, so some land in its
// start-up (the lock, recovery), some in dispatch, some in a tracker write.
//
// It runs twice, once per tracker backend: `jsonl` (chorus writes .beads/issues.jsonl itself) and
// `bd` (the same issues seeded into the stand-in bd, test/fixtures/bd, which chorus finds on PATH
// and reaches only through `bd` calls).

const TASKS = 120;
const KILLS = 6;
const DEADLINE_MS = 170_000;
const seed = Number(process.env['FAULT_SEED'] ?? Date.now() % 2 ** 31);

/** mulberry32: the kill moments follow from the seed printed in the table. */
function random(s: number): () => number {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

function kindOf(i: number): string {
  if (i % 24 === 5) return 'stubborn';
  if (i % 10 === 9) return 'long';
  return 'short';
}

function batchTasks(): { id: string; line: object }[] {
  const ids = Array.from({ length: TASKS }, (_, i) => `f-${String(i).padStart(3, '0')}-${kindOf(i)}`);
  return ids.map((id, i) => {
    // Some tasks wait on one twelve before: work that becomes ready as others close, across restarts.
    const deps = i >= 12 && i % 4 === 1 ? [blocks(id, ids[i - 12]!)] : [];
    return { id, line: bead(id, { priority: i % 5, ...(deps.length ? { dependencies: deps } : {}) }) };
  });
}

/** Lines chorus must never change: not part of the batch, or never ready. */
function otherTasks(): object[] {
  return [
    bead('done-1', { status: 'closed', closed_at: '2026-01-02T00:00:00Z', close_reason: 'done by hand' }),
    bead('epic-1', { issue_type: 'epic', description: 'an epic: never runs' }),
    bead('alice-1', { status: 'in_progress', assignee: 'alice', started_at: '2026-01-03T00:00:00Z' }),
    bead('blocked-1', { status: 'blocked', notes: 'waiting on the vendor' }),
    bead('later-1', { defer_until: '2099-01-01T00:00:00Z' }),
    // Claimed by a chorus on another machine: not in this repository's journal, so never "recovered".
    bead('elsewhere-1', { status: 'in_progress', assignee: 'chorus', started_at: '2026-01-04T00:00:00Z' }),
    bead('waits-1', { dependencies: [blocks('waits-1', 'elsewhere-1')] }),
  ];
}

interface Start {
  kind: 'start' | 'proc';
  task: string;
  at: number;
  pid: number;
  pidStart: string;
  run: number;
}

function readStarts(file: string): Start[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((line) => {
    const [kind, task, at, pid, pidStart, run] = line.split(' ');
    if ((kind !== 'start' && kind !== 'proc') || !task || !pidStart) return [];
    return [{ kind, task, at: Number(at), pid: Number(pid), pidStart, run: Number(run) }];
  });
}

function stillRunning(p: Start): boolean {
  const stat = readProcStat(p.pid);
  return stat !== undefined && stat.start === p.pidStart && stat.state !== 'Z' && stat.state !== 'X';
}

interface Run {
  n: number;
  killedAfterMs?: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

type Backend = 'jsonl' | 'bd';

/** A scratch repository with the batch in the tracker of one backend, and how the test reads that tracker. */
interface FaultRepo {
  dir: string;
  /** The environment chorus runs in (agents inherit it). */
  env: NodeJS.ProcessEnv;
  /** The file the tracker keeps its tasks in, one JSON object per line: .beads/issues.jsonl, or the stand-in's data file. */
  dataFile: string;
  /** The tasks as the tracker holds them, by id. */
  readTasks(): Promise<Map<string, Record<string, unknown>>>;
  /** When the tracker recorded the task closed (epoch ms), NaN when it did not. */
  closedAt(id: string, task: Record<string, unknown> | undefined): number;
  /** Extra rows for the table. */
  figures(): [string, string | number, string][];
}

const scratch: string[] = [];
const leftovers: Start[] = [];
afterAll(() => {
  // Should there be survivors (a failed run), they are ended here, by pid, and only if still the recorded process.
  for (const p of leftovers) if (stillRunning(p)) process.kill(p.pid, 'SIGKILL');
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

async function makeFaultRepo(backend: Backend, issues: object[], orchestration: Record<string, unknown>): Promise<FaultRepo> {
  if (backend === 'jsonl') {
    const repo = await makeRepo(issues, orchestration);
    scratch.push(repo.dir);
    return {
      dir: repo.dir,
      env: process.env,
      dataFile: repo.issuesFile,
      readTasks: () => repo.readTasks(),
      closedAt: (_id, task) => Date.parse(String(task?.['closed_at'] ?? '')),
      figures: () => [],
    };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chorus-test-'));
  scratch.push(dir);
  seedStandin(dir, issues, { git: true, prefix: 'f' });
  writeFileSync(path.join(dir, '.chorus.json'), JSON.stringify({ orchestration }, null, 2));
  const callLog = path.join(dir, 'bd-calls.log');
  let closes: Map<string, number> | undefined;
  return {
    dir,
    env: standinEnv({ BD_STANDIN_CALL_LOG: callLog }),
    dataFile: standinDataFile(dir),
    // A data file that does not parse is counted in the figures; the tasks are then read line by line.
    readTasks: () => Promise.resolve(tryReadStandin(dir)),
    // bd writes closed_at in whole seconds, too coarse against agents that start and end within one:
    // the end of the first bd close call that closed the task (the call log's time, in ms) is when bd held it closed.
    closedAt(id, task) {
      if (task?.['status'] !== 'closed') return NaN;
      closes ??= firstCloses(callLog);
      return closes.get(id) ?? Date.parse(String(task['closed_at'] ?? '')) + 999;
    },
    figures() {
      const calls = readCallLog(callLog);
      const unlocked = calls.filter((c) => c.lockedAt === undefined && c.exit !== 0).length;
      return [['bd calls (stand-in call log)', calls.length, `${unlocked} refused as busy (another bd process held the store lock)`]];
    },
  };
}

function tryReadStandin(dir: string): Map<string, Record<string, unknown>> {
  try {
    return readStandinById(dir);
  } catch {
    const tasks = new Map<string, Record<string, unknown>>();
    for (const line of readFileSync(standinDataFile(dir), 'utf8').split('\n')) {
      if (!parses(line)) continue;
      const o = JSON.parse(line) as Record<string, unknown>;
      if (typeof o['id'] === 'string') tasks.set(o['id'], o);
    }
    return tasks;
  }
}

/** For each id, when the first successful `bd close` naming it released the store (from the stand-in's call log). */
function firstCloses(callLog: string): Map<string, number> {
  const first = new Map<string, number>();
  for (const call of readCallLog(callLog)) {
    const at = call.argv.indexOf('close');
    if (at < 0 || call.exit !== 0) continue;
    const end = call.releasedAt ?? call.end;
    for (const arg of call.argv.slice(at + 1)) {
      if (arg.startsWith('-')) break; // the ids come first, then -r REASON ... --json
      if (!(first.get(arg)! <= end)) first.set(arg, end);
    }
  }
  return first;
}

async function hardKillRun(backend: Backend): Promise<void> {
  const rand = random(seed);
  const tasks = batchTasks();
  const others = otherTasks();
  const repo = await makeFaultRepo(backend, [...tasks.map((t) => t.line), ...others], {
    agentCommand: path.join(AGENTS, 'record-start.js'),
    agentArgs: [],
    maxAgents: 6,
    killGrace: 1000,
    backoffMin: 50,
    backoffMax: 200,
  });
  const record = path.join(repo.dir, 'record.log');
  // Each other task's stored object, as its line in the tracker's file: compared whole, nothing ignored.
  const otherLinesBefore = linesById(readFileSync(repo.dataFile, 'utf8'), new Set(others.map((o) => (o as { id: string }).id)));
  const started = Date.now();
  const runs: Run[] = [];
  /** Per kill: processes of the killed chorus still running 2 s after it died. */
  const survivorChecks: Promise<Start[]>[] = [];
  let kills = 0;

  for (let n = 1; Date.now() - started < DEADLINE_MS; n += 1) {
    const child = spawn(process.execPath, [CLI, '-C', repo.dir, 'batch', '--all-ready'], {
      env: { ...repo.env, FIXTURE_RECORD_FILE: record, FIXTURE_RUN: String(n) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: Run = { n, code: null, signal: null, stdout: '', stderr: '' };
    runs.push(run);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (run.stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (run.stderr += d));
    const exited = new Promise<void>((resolve) =>
      child.on('close', (code, signal) => {
        run.code = code;
        run.signal = signal;
        resolve();
      }),
    );
    if (kills < KILLS) {
      // Anywhere from its start-up (recovery, the lock) to deep into the batch.
      const delay = 100 + rand() * 3900;
      const ended = await Promise.race([exited.then(() => true), sleep(delay).then(() => false)]);
      if (!ended && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        const diedAt = Date.now();
        run.killedAfterMs = Math.round(delay);
        kills += 1;
        await exited;
        survivorChecks.push(
          sleep(diedAt + 2000 - Date.now()).then(() => {
            const survivors = readStarts(record).filter((p) => p.run === n && stillRunning(p));
            leftovers.push(...survivors);
            return survivors;
          }),
        );
        continue; // started again at once
      }
    }
    await exited;
    const final = await repo.readTasks();
    if (tasks.every((t) => final.get(t.id)?.['status'] === 'closed')) break;
    // A batch that ended with work left (the kills left nothing behind to hold it back): go round.
  }
  const survivors = (await Promise.all(survivorChecks)).flat();
  const elapsedMs = Date.now() - started;

  // The figures.
  const text = readFileSync(repo.dataFile, 'utf8');
  const unparsable = text.split('\n').filter((line) => line.trim() !== '' && !parses(line)).length;
  const final = await repo.readTasks();
  const closed = tasks.filter((t) => final.get(t.id)?.['status'] === 'closed').length;
  const starts = readStarts(record).filter((s) => s.kind === 'start');
  const rerunsAfterClose = starts.filter((s) => {
    const closedAt = repo.closedAt(s.task, final.get(s.task));
    return !Number.isNaN(closedAt) && s.at > closedAt;
  });
  const otherLinesAfter = linesById(text, new Set(otherLinesBefore.keys()));
  const othersChanged = [...otherLinesBefore].filter(([id, line]) => otherLinesAfter.get(id) !== line).map(([id]) => id);
  const startedTwice = new Set(starts.map((s) => s.task)).size;
  const recoveryLines = runs.flatMap((r) => r.stdout.split('\n').filter((l) => l.startsWith('chorus: recovered from')));
  const recovered = (pattern: RegExp) => recoveryLines.reduce((n, l) => n + Number(pattern.exec(l)?.[1] ?? 0), 0);
  const refused = runs.filter((r) => r.signal === null && r.code !== 0);
  const noisy = runs.filter((r) => /ERR_IPC_CHANNEL_CLOSED|\n\s+at /.test(r.stderr));
  const journalBytes = fileSize(path.join(repo.dir, '.chorus', 'journal.jsonl'));

  const rows: [string, string | number, string][] = [
    ['seed (FAULT_SEED)', seed, ''],
    ['SIGKILLs injected', kills, `>= 5, at ${runs.filter((r) => r.killedAfterMs !== undefined).map((r) => `${r.killedAfterMs}ms`).join(', ')}`],
    ['chorus runs', runs.length, `${recoveryLines.length} said they recovered from a run that ended hard`],
    ['  tasks recovery put back to open', recovered(/(\d+) tasks? back to open/), ''],
    ['  closes recovery wrote from the journal', recovered(/closed (\d+) tasks? its journal/), 'chorus died between its journal and the tracker'],
    ['  agent groups recovery ended', recovered(/(\d+) agent groups? ended/), 'the agent host had not yet'],
    ['tasks in the batch', TASKS, `${tasks.filter((t) => t.id.endsWith('stubborn')).length} ignore SIGTERM, ${tasks.filter((t) => t.id.endsWith('long')).length} long`],
    ['tasks closed', closed, `must be ${TASKS}`],
    ['agent starts', starts.length, `${starts.length - startedTwice} re-runs of tasks killed while running`],
    ['re-runs after the tracker recorded the task closed', rerunsAfterClose.length, 'must be 0'],
    ['agent processes alive 2 s after their chorus died', survivors.length, 'must be 0'],
    ['lines of other tasks changed', othersChanged.length, `must be 0 (of ${otherLinesBefore.size})`],
    [backend === 'bd' ? "lines of the stand-in bd's data file that do not parse" : 'tracker lines that do not parse', unparsable, 'must be 0'],
    ['restarts that failed (not killed, exit != 0)', refused.length, 'must be 0'],
    ['runs with a stack trace or ERR_IPC_CHANNEL_CLOSED', noisy.length, 'must be 0'],
    ...repo.figures(),
    ['journal at the end', `${journalBytes} B`, 'compacted at each start'],
    ['time', `${(elapsedMs / 1000).toFixed(1)} s`, 'must be < 180 s'],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(['', `fault-injection run: hard kills, ${backend} backend`, ...rows.map(([k, v, note]) => `  ${k.padEnd(width)}  ${String(v).padStart(8)}  ${note}`)].join('\n'));
  if (refused.length || noisy.length) console.log([...refused, ...noisy].map((r) => `run ${r.n} (exit ${r.code}):\n${r.stdout}\n${r.stderr}`).join('\n'));
  if (rerunsAfterClose.length) console.log('re-runs after close:', rerunsAfterClose);
  if (survivors.length) console.log('survivors:', survivors);

  expect(kills).toBeGreaterThanOrEqual(5);
  expect(closed).toBe(TASKS);
  expect(rerunsAfterClose).toEqual([]);
  expect(survivors).toEqual([]);
  expect(othersChanged).toEqual([]);
  expect(unparsable).toBe(0);
  expect(refused.map((r) => r.n)).toEqual([]);
  expect(noisy.map((r) => r.n)).toEqual([]);
  expect(elapsedMs).toBeLessThan(180_000);
}

for (const backend of ['jsonl', 'bd'] as const) {
  it(`${backend} backend: a ${TASKS}-task batch killed with SIGKILL ${KILLS} times and restarted at once finishes, never re-runs a closed task, and leaves no agent behind`, () => hardKillRun(backend));
}

function parses(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

function linesById(text: string, ids: Set<string>): Map<string, string> {
  const lines = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!parses(line)) continue;
    const id = (JSON.parse(line) as { id?: string }).id;
    if (id !== undefined && ids.has(id)) lines.set(id, line);
  }
  return lines;
}

function fileSize(file: string): number {
  try {
    return readFileSync(file).length;
  } catch {
    return 0;
  }
}
