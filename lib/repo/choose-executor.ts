import type { Settings } from '../config/schema.js';
import type { Executor } from '../executor/executor.js';
import { LocalExecutor } from '../pool/local-executor.js';

export interface ExecutorChoice {
  repoDir: string;
  settings: Settings;
  /** Where the global agent command was set, for messages. */
  agentOrigin: string;
  /** Runs the executor must hold at once: maxAgents, or more when it may be raised live (the dashboard's +). */
  capacity: number;
  /** The command that runs the engine (`batch`, `dashboard`, ...): a bullmq leader's lock names it. */
  command: string;
  /** Where redisUrl was set, for messages. */
  redisOrigin: string;
}

/**
 * The one place chorus picks where agents run, as choose-backend.ts picks the tracker: `local`,
 * the Piscina pool on this machine, which needs nothing running; or `bullmq`, the queue's
 * `chorus worker` processes through BullMQ on Redis (loaded only then: a local run never loads
 * BullMQ). Throws UsageError for a bad Redis URL, Redis out of reach, or a queue with a leader.
 */
export async function openExecutor(choice: ExecutorChoice): Promise<Executor> {
  if (choice.settings.executor === 'local') {
    return new LocalExecutor({ repoDir: choice.repoDir, settings: choice.settings, agentOrigin: choice.agentOrigin, capacity: choice.capacity });
  }
  const [{ BullmqExecutor }, { redisTarget }, { queueNameFor }] = await Promise.all([
    import('../bullmq/bullmq-executor.js'),
    import('../bullmq/redis-url.js'),
    import('../bullmq/queue-name.js'),
  ]);
  return BullmqExecutor.open({
    repoDir: choice.repoDir,
    queue: queueNameFor(choice.repoDir, choice.settings.queue),
    redis: redisTarget(choice.settings.redisUrl, choice.redisOrigin),
    command: choice.command,
  });
}
