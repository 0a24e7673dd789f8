import type { Redis } from 'ioredis';
import { WORKER_GONE_MS, type WorkerInfo } from './protocol.js';

/** A worker's beat: its entry in the queue's registry, written every HEARTBEAT_MS. */
export async function beat(redis: Redis, key: string, info: WorkerInfo): Promise<void> {
  await redis.hset(key, info.name, JSON.stringify(info));
}

export async function leave(redis: Redis, key: string, name: string): Promise<void> {
  await redis.hdel(key, name);
}

/** The workers that beat within WORKER_GONE_MS of `now`; older entries are taken off the registry. */
export async function connectedWorkers(redis: Redis, key: string, now = Date.now()): Promise<WorkerInfo[]> {
  const all = await redis.hgetall(key);
  const alive: WorkerInfo[] = [];
  const gone: string[] = [];
  for (const [name, text] of Object.entries(all)) {
    try {
      const info = JSON.parse(text) as WorkerInfo;
      if (now - info.at <= WORKER_GONE_MS) alive.push(info);
      else gone.push(name);
    } catch {
      gone.push(name);
    }
  }
  if (gone.length) await redis.hdel(key, ...gone);
  return alive.sort((a, b) => a.name.localeCompare(b.name));
}
