import type { RedisOptions } from 'ioredis';
import { UsageError } from '../errors.js';

/** Where the Redis server is: ioredis's options, and the URL as people may see it (no password). */
export interface RedisTarget {
  options: RedisOptions;
  /** `redis://host:port/db`, the password left out. */
  display: string;
}

/** Where the URL came from, for messages: `--redis-url`, `orchestration.redisUrl in .chorus.json`, `CHORUS_REDIS_URL`. */
export type RedisUrlOrigin = string;

/**
 * The Redis server from `redisUrl` (or CHORUS_REDIS_URL when the setting is empty):
 * `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS. Throws UsageError
 * CHORUS_REDIS_URL_MISSING or CHORUS_BAD_REDIS_URL naming the value (its password hidden) and
 * where it was set.
 */
export function redisTarget(setting: string, origin: RedisUrlOrigin, env: NodeJS.ProcessEnv = process.env): RedisTarget {
  const fromEnv = setting === '' ? env['CHORUS_REDIS_URL'] ?? '' : '';
  const text = setting || fromEnv;
  const where = setting ? origin : 'CHORUS_REDIS_URL';
  if (text === '') {
    throw new UsageError('CHORUS_REDIS_URL_MISSING', 'executor is "bullmq", but no Redis server is named: set orchestration.redisUrl in .chorus.json, pass --redis URL, or set CHORUS_REDIS_URL (for instance redis://127.0.0.1:6379)');
  }
  const bad = (why: string) => new UsageError('CHORUS_BAD_REDIS_URL', `${where}: ${JSON.stringify(hidePassword(text))} is not a Redis URL: ${why} (expected redis://[user:password@]host[:port][/db], or rediss:// for TLS)`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad('it cannot be read as a URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw bad(`its scheme is ${url.protocol.replace(/:$/, '')}`);
  if (url.hostname === '') throw bad('it names no host');
  const port = url.port === '' ? 6379 : Number(url.port);
  const dbText = url.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d+$/.test(dbText)) throw bad(`its database ${JSON.stringify(dbText)} is not a number`);
  if (url.search !== '' || url.hash !== '') throw bad('it has a query or a fragment');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const options: RedisOptions = {
    host,
    port,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(dbText ? { db: Number(dbText) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
    // BullMQ's workers need every command to wait for a reconnect rather than fail: Redis going
    // away for a while must not lose a job or a result.
    maxRetriesPerRequest: null,
    connectTimeout: 5_000,
    retryStrategy: (times) => Math.min(250 * times, 2_000),
  };
  return { options, display: `${url.protocol}//${url.host}${dbText ? `/${dbText}` : ''}` };
}

/** The URL with any password replaced by `***`, for messages. */
export function hidePassword(text: string): string {
  return text.replace(/^(rediss?:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}
