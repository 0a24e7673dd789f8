import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchError } from './errors.js';

/**
 * The repository root. This file runs compiled from bench/out/build/bench/, four levels
 * below it; the check stops a moved build from timing some other checkout's chorus.
 */
export function repoRoot(): string {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
  if (!existsSync(path.join(root, 'package.json')) || !existsSync(path.join(root, 'bench'))) {
    throw new BenchError('BENCH_NO_REPO', `cannot find the chorus repository above ${fileURLToPath(import.meta.url)} (expected it at ${root})`);
  }
  return root;
}

export interface RepoPaths {
  root: string;
  /** The built CLI; `npm run bench` builds it first. */
  chorusBin: string;
  parseLinesBaseline: string;
  /** A Node process, a worker thread and a forked Node child spawning `true`: what a chorus start cannot go below. */
  startupFloor: string;
  floodAgent: string;
  realFixtures: string;
  /** The stand-in `bd` (a symlink `bd` in it): put first on PATH. */
  bdStandinDir: string;
  defaultJsonOut: string;
}

export function repoPaths(root = repoRoot()): RepoPaths {
  const paths: RepoPaths = {
    root,
    chorusBin: path.join(root, 'dist/bin/chorus.js'),
    parseLinesBaseline: path.join(root, 'bench/baselines/parse-lines.mjs'),
    startupFloor: path.join(root, 'bench/baselines/startup-floor.mjs'),
    floodAgent: path.join(root, 'test/fixtures/agents/flood.js'),
    realFixtures: path.join(root, 'test/fixtures/beads-real'),
    bdStandinDir: path.join(root, 'test/fixtures/bd'),
    defaultJsonOut: path.join(root, 'bench/out/results.json'),
  };
  if (!existsSync(paths.chorusBin)) {
    throw new BenchError('BENCH_NO_BUILD', `${paths.chorusBin} is missing: run \`npm run build\` first (\`npm run bench\` does)`);
  }
  return paths;
}
