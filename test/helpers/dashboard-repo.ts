import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readStandinById, seedStandin, standinDataFile, standinEnv } from './bd-standin.js';
import { AGENTS, CLI, makeRepo, type TempRepo } from './temp-repo.js';
import { TmuxSession, shellQuote } from './tmux.js';

/** A scratch repository whose agents hold until the test releases them (test/fixtures/agents/hold.js). */
export interface HoldRepo extends TempRepo {
  /** This repository's own copy of the agent: `pgrep -f` on it finds this test's agents and no one else's. */
  agent: string;
  release(id: string, exitCode?: number): void;
  /** Task ids in the order their agents started. */
  starts(): string[];
  /** Pids of this repository's agents alive now. */
  agentPids(): number[];
  /** `chorus dashboard` in a terminal of its own; `chorus: ...; EXIT=<code>` when it ends, then a shell prompt line. */
  dashboard(size?: { cols: number; rows: number }, env?: Record<string, string>, args?: string[]): TmuxSession;
}

export async function makeHoldRepo(tasks: object[], orchestration: Record<string, unknown> = {}): Promise<HoldRepo> {
  return holdRepo(await makeRepo(tasks), orchestration, {});
}

/** A hold repository on the bd backend, and the environment a chorus needs to find the stand-in bd. */
export interface BdHoldRepo extends HoldRepo {
  /** For runChorus: the stand-in first on PATH. */
  env: Record<string, string>;
}

/**
 * The same on the bd backend: the tasks seeded into the stand-in bd (test/fixtures/bd; no
 * .beads/issues.jsonl), which the dashboard finds first on PATH. `issuesFile`, `readIssues` and
 * `readTasks` are the stand-in's data file and what it holds.
 */
export async function makeBdHoldRepo(tasks: object[], orchestration: Record<string, unknown> = {}): Promise<BdHoldRepo> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'chorus-test-'));
  seedStandin(dir, tasks, { git: true });
  const dataFile = standinDataFile(dir);
  const repo: TempRepo = {
    dir,
    issuesFile: dataFile,
    readIssues: () => readFile(dataFile, 'utf8'),
    readTasks: () => Promise.resolve(readStandinById(dir)),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
  const env = standinEnv();
  return { ...holdRepo(repo, orchestration, { PATH: env['PATH']! }), env };
}

function holdRepo(repo: TempRepo, orchestration: Record<string, unknown>, terminalEnv: Record<string, string>): HoldRepo {
  const agent = path.join(repo.dir, 'agent', 'hold.mjs');
  mkdirSync(path.dirname(agent), { recursive: true });
  copyFileSync(path.join(AGENTS, 'hold.js'), agent);
  const releaseDir = path.join(repo.dir, 'release');
  mkdirSync(releaseDir);
  const record = path.join(repo.dir, 'starts.txt');
  writeFileSync(
    path.join(repo.dir, '.chorus.json'),
    JSON.stringify({
      orchestration: {
        agentCommand: process.execPath,
        agentArgs: [agent],
        agentEnv: { FIXTURE_RELEASE_DIR: releaseDir, FIXTURE_RECORD_FILE: record },
        killGrace: 1_000,
        ...orchestration,
      },
    }),
  );
  return {
    ...repo,
    agent,
    release: (id, exitCode = 0) => writeFileSync(path.join(releaseDir, id), String(exitCode)),
    starts: () => {
      try {
        return readFileSync(record, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split(' ')[1]!);
      } catch {
        return [];
      }
    },
    agentPids: () => {
      try {
        return execFileSync('pgrep', ['-f', agent], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
      } catch {
        return []; // pgrep exits 1 when nothing matches
      }
    },
    dashboard(size = { cols: 100, rows: 30 }, env = {}, args = []) {
      const command = `${shellQuote(process.execPath)} ${shellQuote(CLI)} -C ${shellQuote(repo.dir)} dashboard ${args.map(shellQuote).join(' ')}; echo EXIT=$?; exec sleep 600`;
      return new TmuxSession(command, size, { ...terminalEnv, ...env });
    },
  };
}

/** Pids of chorus processes working on `dir` (`chorus -C dir ...`). */
export function chorusPids(dir: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', `${CLI} -C ${dir} `], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * After a test: the terminal is gone (its chorus got SIGHUP and is putting its tasks back); wait
 * for that chorus to finish before the folder goes, then end any agent still left, by pid.
 */
export async function cleanUp(term: TmuxSession | undefined, repo: HoldRepo | undefined): Promise<void> {
  term?.kill();
  if (!repo) return;
  const until = Date.now() + 15_000;
  while (chorusPids(repo.dir).length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  for (const pid of [...chorusPids(repo.dir), ...repo.agentPids()]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  await repo.remove();
}
