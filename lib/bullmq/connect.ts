import type { Redis } from 'ioredis';
import { UsageError } from '../errors.js';

/**
 * Waits until `redis` answers a PING, or throws UsageError CHORUS_REDIS_UNREACHABLE after
 * `timeoutMs` with what Redis or the network said (a wrong password, a refused connection, a
 * name that does not resolve): a chorus that starts against a Redis it cannot use says so at once
 * rather than waiting for ever. Later outages are waited out (see BullmqExecutor).
 */
export async function connectOrExplain(redis: Redis, display: string, timeoutMs = 5_000): Promise<void> {
  let last: Error | undefined;
  const onError = (error: Error) => (last = error);
  redis.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.ping(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer')), timeoutMs);
      }),
    ]);
  } catch (error) {
    const why = last?.message ?? (error as Error).message;
    const hint = /WRONGPASS|NOAUTH|invalid password|invalid username/i.test(why) ? ' (check the password in the URL)' : '';
    throw new UsageError('CHORUS_REDIS_UNREACHABLE', `cannot use Redis at ${display}: ${why}${hint}`, { cause: error });
  } finally {
    clearTimeout(timer);
    redis.off('error', onError);
  }
}
