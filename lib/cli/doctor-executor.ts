import { Redis } from 'ioredis';
import { connectOrExplain } from '../bullmq/connect.js';
import { keysOf } from '../bullmq/protocol.js';
import { queueNameFor } from '../bullmq/queue-name.js';
import { redisTarget } from '../bullmq/redis-url.js';
import { connectedWorkers } from '../bullmq/worker-registry.js';
import type { Settings } from '../config/schema.js';
import type { SettingSource } from '../config/load-config.js';
import type { DoctorCheck } from './doctor-checks.js';

/** How long doctor gives Redis to answer: it must stay quick, whatever the network does. */
const REDIS_TIME_BOX_MS = 3_000;

/**
 * `chorus doctor`'s lines for executor "bullmq": the Redis server (reachable, its version, the
 * eviction policy BullMQ needs, whether it keeps its data across a restart) and the workers
 * connected to the queue. Reads only: INFO, CONFIG GET, and the queue's registry. Nothing for the
 * local executor. Loaded only when the executor is "bullmq" (ioredis stays out of every other start-up).
 */
export async function executorChecks(repoDir: string, settings: Settings, redisSource: SettingSource): Promise<DoctorCheck[]> {
  if (settings.executor !== 'bullmq') return [];
  const queue = queueNameFor(repoDir, settings.queue);
  let target;
  try {
    target = redisTarget(settings.redisUrl, redisSource === 'flag' ? '--redis-url' : 'orchestration.redisUrl in .chorus.json');
  } catch (error) {
    return [{ name: 'redis', status: 'fail', message: (error as Error).message, details: { code: (error as { code?: string }).code } }];
  }
  const redis = new Redis({ ...target.options, retryStrategy: () => null, lazyConnect: false });
  redis.on('error', () => undefined);
  try {
    await connectOrExplain(redis, target.display, REDIS_TIME_BOX_MS);
    const info = await redis.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    const config = async (key: string): Promise<string | null> => {
      try {
        const answer = (await redis.config('GET', key)) as string[];
        return answer[1] ?? null;
      } catch {
        return null; // CONFIG may be turned off (managed Redis): said as unknown
      }
    };
    const policy = await config('maxmemory-policy');
    const appendonly = await config('appendonly');
    const save = await config('save');
    const problems: string[] = [];
    if (policy !== null && policy !== 'noeviction') problems.push(`maxmemory-policy is ${policy}: BullMQ needs noeviction, or Redis may drop jobs under memory pressure (CONFIG SET maxmemory-policy noeviction)`);
    const persists = appendonly === 'yes' || (save !== null && save !== '');
    if (appendonly !== null && !persists) problems.push('it keeps nothing across a restart (appendonly no, no save points): a restart of Redis loses the queue (appendonly yes)');
    const major = Number(version.split('.')[0]);
    const old = Number.isFinite(major) && major < 6;
    const status = old ? 'fail' : problems.length ? 'warn' : 'ok';
    const known = [`Redis ${version} at ${target.display}`, `queue ${queue}`, `maxmemory-policy ${policy ?? 'unknown (CONFIG is off)'}`, `persistence ${appendonly === 'yes' ? 'appendonly' : persists ? 'snapshots' : appendonly === null ? 'unknown' : 'none'}`];
    const checks: DoctorCheck[] = [
      {
        name: 'redis',
        status,
        message: old ? `Redis ${version} at ${target.display}: BullMQ needs Redis 6.2 or later` : `${known.join('; ')}${problems.length ? `; ${problems.join('; ')}` : ''}`,
        details: { url: target.display, version, queue, maxmemoryPolicy: policy, appendonly, save },
      },
    ];
    const workers = await connectedWorkers(redis, keysOf(queue).workers);
    const now = Date.now();
    checks.push(
      workers.length === 0
        ? { name: 'workers', status: 'warn', message: `none connected to ${queue}: a batch waits for one (start it in a clone: chorus worker --redis ${target.display})`, details: { workers: [] } }
        : {
            name: 'workers',
            status: 'ok',
            message: workers.map((w) => `${w.name} on ${w.host} (${w.busy}/${w.concurrency} busy, ${w.agents.join(', ')}, beat ${Math.round((now - w.at) / 1000)} s ago)`).join('; '),
            details: { workers },
          },
    );
    return checks;
  } catch (error) {
    return [{ name: 'redis', status: 'fail', message: (error as Error).message, details: { url: target.display, queue } }];
  } finally {
    redis.disconnect();
  }
}
