// `chorus worker` processes for the distributed tests: each in its own folder (a clone of the
// repository, as on another machine), with its own .chorus.json, started as a person would.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI } from './temp-repo.js';

export interface RunningWorker {
  name: string;
  dir: string;
  child: ChildProcess;
  output(): string;
  /** Ctrl-C, as a person stops it; resolves with its exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: the machine is lost. */
  kill(): void;
}

/** Writes a worker's folder: `.chorus.json` with these settings (merged into orchestration). */
export function workerDir(root: string, name: string, orchestration: Record<string, unknown>): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, '.chorus.json'), JSON.stringify({ orchestration }, null, 2));
  return dir;
}

/** Starts `chorus worker` in `dir`; resolves once it takes jobs. */
export async function startWorker(dir: string, name: string, concurrency: number, env: Record<string, string> = {}): Promise<RunningWorker> {
  const child = spawn(process.execPath, [CLI, '-C', dir, 'worker', '--name', name, '--concurrency', String(concurrency)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (text += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (text += d));
  const deadline = Date.now() + 20_000;
  while (!text.includes('taking jobs')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`worker ${name} did not start: ${text}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    name,
    dir,
    child,
    output: () => text,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      return exited;
    },
    kill: () => child.kill('SIGKILL'),
  };
}
