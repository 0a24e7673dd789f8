import type { ChildProcess } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exited, signalBackground, spawnBackground } from './background.js';
import { BenchError } from './errors.js';
import type { RepoPaths } from './paths.js';
import type { ScratchDir } from './scratch-repo.js';

export interface WorkerSpec {
  redisUrl: string;
  queue: string;
  /** Their agent: a worker runs its own settings' command, never one from the job. */
  agentCommand: string;
  agentArgs: string[];
  count: number;
  concurrency: number;
}

export interface Workers {
  names: string[];
  /** Those that have not run a job yet (no log in their own `.beads/agent-output/`). */
  unused(): Promise<string[]>;
  /** Ctrl-C to each, as a person stops one; then SIGKILL to what is left of its group (all of it, if it has not exited 10 s later). */
  stop(): Promise<void>;
}

let started = 0;

/**
 * `chorus worker` processes, each in a folder of its own with its own `.chorus.json` (as a clone on
 * another machine), started as a person would; resolves once every one says it takes jobs, so a
 * leader timed after this finds them connected.
 */
export async function startWorkers(paths: RepoPaths, scratch: ScratchDir, spec: WorkerSpec): Promise<Workers> {
  const children: { name: string; dir: string; child: ChildProcess; output: () => string }[] = [];
  const stop = async () => {
    for (const { child } of children) signalBackground(child, 'SIGINT', false);
    for (const { child } of children) {
      await exited(child, 10_000);
      // Whatever is left of its group (it, or an agent host it started) goes too.
      signalBackground(child, 'SIGKILL');
    }
  };
  try {
    for (let i = 1; i <= spec.count; i += 1) {
      const name = `w${(started += 1)}`;
      const dir = path.join(scratch.dir, 'workers', name);
      await mkdir(dir, { recursive: true });
      const orchestration = { redisUrl: spec.redisUrl, queue: spec.queue, agentCommand: spec.agentCommand, agentArgs: spec.agentArgs, maxAgents: spec.concurrency };
      await writeFile(path.join(dir, '.chorus.json'), `${JSON.stringify({ orchestration }, null, 2)}\n`);
      const child = spawnBackground(process.execPath, [paths.chorusBin, '-C', dir, 'worker', '--name', name, '--concurrency', String(spec.concurrency)], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      for (const stream of [child.stdout!, child.stderr!]) stream.setEncoding('utf8').on('data', (d: string) => (text = (text + d).slice(-4096)));
      children.push({ name, dir, child, output: () => text });
    }
    const deadline = Date.now() + 30_000;
    for (const { name, child, output } of children) {
      while (!output().includes('taking jobs')) {
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new BenchError('BENCH_WORKER', `chorus worker ${name} did not start taking jobs: ${output().trim().split('\n').slice(-3).join(' | ') || '(no output)'}`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const unused = async () => {
    const names: string[] = [];
    for (const { name, dir } of children) {
      const logs = await readdir(path.join(dir, '.beads', 'agent-output')).catch(() => []);
      if (logs.length === 0) names.push(name);
    }
    return names;
  };
  return { names: children.map((c) => c.name), unused, stop };
}
