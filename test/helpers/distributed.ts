// For the tests of executor "bullmq": what one test's cluster is (its own redis-server, the leader's
// repository, a scratch folder, `chorus worker` processes), its teardown, and the records the
// record-worker agent and a leader's --json output leave.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startRedis, type RedisServer } from './redis-server.js';
import { AGENTS, makeRepo, type TempRepo } from './temp-repo.js';
import { startWorker, workerDir, type RunningWorker } from './workers.js';

export const RECORD_AGENT = path.join(AGENTS, 'record-worker.js');

/** One test's cluster; `tearDown` (in afterEach) stops and removes whatever it came to hold. */
export class Cluster {
  redis: RedisServer | undefined;
  repo: TempRepo | undefined;
  root: string | undefined;
  readonly workers: RunningWorker[] = [];

  async tearDown(): Promise<void> {
    for (const w of this.workers.splice(0)) {
      w.kill();
      await w.stop();
    }
    await this.redis?.stop();
    this.redis = undefined;
    await this.repo?.remove();
    this.repo = undefined;
    if (this.root) await rm(this.root, { recursive: true, force: true });
    this.root = undefined;
  }

  /** Its own Redis and scratch folder. */
  async start(options: { password?: string } = {}): Promise<{ redis: RedisServer; root: string }> {
    this.redis = await startRedis(options);
    this.root = await mkdtemp(path.join(os.tmpdir(), 'chorus-workers-'));
    return { redis: this.redis, root: this.root };
  }
}

export interface Setup {
  records: string;
  leaderSettings: Record<string, unknown>;
  /** A worker in its own folder under the cluster's root, running the record-worker agent. */
  worker(name: string, concurrency: number, extra?: Record<string, unknown>): Promise<RunningWorker>;
}

/** A cluster with a leader repository over `tasks` on `queue` (a custom agent; the workers run theirs). */
export async function setUpCluster(cluster: Cluster, queue: string, tasks: object[], leader: Record<string, unknown> = {}): Promise<Setup> {
  const { redis, root } = await cluster.start();
  const records = path.join(root, 'records.txt');
  writeFileSync(records, '');
  const leaderSettings = { executor: 'bullmq', redisUrl: redis.url, queue, agent: 'custom', agentCommand: 'true', retryCount: 0, ...leader };
  cluster.repo = await makeRepo(tasks, leaderSettings);
  return {
    records,
    leaderSettings,
    async worker(name, concurrency, extra = {}) {
      const dir = workerDir(root, name, { redisUrl: redis.url, queue, agentCommand: RECORD_AGENT, agentArgs: [], agentEnv: { FIXTURE_RECORD_FILE: records }, ...extra });
      const w = await startWorker(dir, name, concurrency);
      cluster.workers.push(w);
      return w;
    },
  };
}

/** A line the record-worker agent wrote: `start|end TASK MS WORKER PID`. */
export type WorkerRecord = { what: 'start' | 'end'; task: string; at: number; worker: string; pid: number };

export function readRecords(file: string): WorkerRecord[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [what, task, at, worker, pid] = line.split(' ');
      return { what: what as 'start' | 'end', task: task!, at: Number(at), worker: worker!, pid: Number(pid) };
    });
}

/** The JSON events of a `--json` run's stdout. */
export function jsonEvents(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
