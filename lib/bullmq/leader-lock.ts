import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { UsageError } from '../errors.js';
import { isRunning, readProcStat } from '../process/processes.js';

/** Who leads a queue: one chorus at a time holds the graph, the tracker and the merge queue. */
export interface LeaderHolder {
  token: string;
  host: string;
  pid: number;
  command: string;
  since: string;
}

export interface LeaderLock {
  readonly holder: LeaderHolder;
  /** Lets go (only if still ours). */
  release(): Promise<void>;
}

/** Whether a holder's record names a chorus on this machine that is gone. */
function diedHere(held: string): boolean {
  try {
    const other = JSON.parse(held) as Partial<LeaderHolder>;
    return other.host === hostname() && typeof other.pid === 'number' && other.pid !== process.pid && !isRunning(readProcStat(other.pid));
  } catch {
    return false;
  }
}

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Takes the queue's leader lock: a Redis key with a TTL, renewed while this chorus lives, so a
 * leader that dies hard lets go within `ttlMs` and the next takes over. Throws UsageError
 * CHORUS_LEADER_HELD naming the holder when another leader is alive.
 */
export async function takeLeaderLock(redis: Redis, key: string, queue: string, command: string, ttlMs = 15_000): Promise<LeaderLock> {
  const holder: LeaderHolder = { token: randomUUID(), host: hostname(), pid: process.pid, command, since: new Date().toISOString() };
  const value = JSON.stringify(holder);
  let taken = await redis.set(key, value, 'PX', ttlMs, 'NX');
  if (taken !== 'OK') {
    // A leader that died here (killed hard, its lock not yet lapsed) is taken over at once, as the run lock is.
    const held = await redis.get(key);
    const dead = held !== null && diedHere(held);
    if (dead && (await redis.eval(RELEASE, 1, key, held)) === 1) taken = await redis.set(key, value, 'PX', ttlMs, 'NX');
  }
  if (taken !== 'OK') {
    const current = await redis.get(key);
    let other: Partial<LeaderHolder> = {};
    try {
      other = JSON.parse(current ?? '{}') as Partial<LeaderHolder>;
    } catch {
      // not ours to read: say what we can
    }
    throw new UsageError(
      'CHORUS_LEADER_HELD',
      `the queue ${queue} already has a leader: chorus pid ${other.pid ?? '?'} on ${other.host ?? '?'} (${other.command ?? '?'}), since ${other.since ?? '?'}; one leader at a time holds the tracker. Its lock lapses ${Math.round(ttlMs / 1000)} s after it is gone`,
    );
  }
  const timer = setInterval(() => {
    redis.eval(RENEW, 1, key, value, String(ttlMs)).catch(() => undefined);
  }, Math.max(500, Math.floor(ttlMs / 3)));
  timer.unref();
  return {
    holder,
    async release() {
      clearInterval(timer);
      await redis.eval(RELEASE, 1, key, value).catch(() => undefined);
    },
  };
}
