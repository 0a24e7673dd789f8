import { rmSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ShapeOptions, Shape } from './generate/shapes.js';
import { writeTracker, type TrackerSummary } from './generate/write-tracker.js';

/** The orchestration settings a scenario runs chorus with; written as `.chorus.json`. */
export interface ChorusSettings {
  maxAgents: number;
  agentCommand: string;
  agentArgs: string[];
  agentEnv?: Record<string, string>;
  /** executor "bullmq": this repository's chorus is the leader on `queue` at `redisUrl`. @default local */
  executor?: 'local' | 'bullmq';
  redisUrl?: string;
  queue?: string;
  /** Off: a dashboard starts no agent until told to. @default true (chorus's default) */
  autoAssign?: boolean;
}

/** A folder of the harness's own under the temp dir; everything a scenario makes goes in one, removed at the end. */
export interface ScratchDir {
  dir: string;
  remove(): Promise<void>;
}

/** Scratch folders not yet removed, for an interrupted harness to clean up. */
const live = new Set<string>();

export async function makeScratchDir(label: string): Promise<ScratchDir> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `chorus-bench-${label}-`));
  live.add(dir);
  return {
    dir,
    remove: async () => {
      await rm(dir, { recursive: true, force: true });
      live.delete(dir);
    },
  };
}

/** Synchronous, for a signal handler about to end the process. */
export function removeLiveScratchDirs(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}

/** A seeded synthetic tracker, written once per scenario and copied into each run's repo. */
export async function makeTracker(scratch: ScratchDir, name: string, shape: Shape, options: ShapeOptions): Promise<TrackerSummary> {
  return writeTracker(path.join(scratch.dir, 'trackers', `${name}.jsonl`), shape, options);
}

export interface ScratchRepo {
  dir: string;
  issuesFile: string;
}

/**
 * A fresh repository: `.beads/issues.jsonl` copied from `tracker` and a `.chorus.json`.
 * A new one per run wherever chorus changes the tracker (a batch closes its tasks).
 */
export async function makeRepo(scratch: ScratchDir, name: string, tracker: string, settings: ChorusSettings): Promise<ScratchRepo> {
  const dir = path.join(scratch.dir, 'repos', name);
  const issuesFile = path.join(dir, '.beads', 'issues.jsonl');
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.dirname(issuesFile), { recursive: true });
  await copyFile(tracker, issuesFile);
  await chmod(issuesFile, 0o644); // the real fixtures are read-only
  await writeFile(path.join(dir, '.chorus.json'), `${JSON.stringify({ orchestration: settings }, null, 2)}\n`);
  return { dir, issuesFile };
}

/** Frees the disk a finished run used (a 500 MB agent log, a 100 MB tracker) before the next one. */
export async function removeRepo(repo: ScratchRepo): Promise<void> {
  await rm(repo.dir, { recursive: true, force: true });
}
