import { hostname } from 'node:os';
import path from 'node:path';
import { ChorusWorker } from '../../bullmq/chorus-worker.js';
import { queueNameFor } from '../../bullmq/queue-name.js';
import { redisTarget } from '../../bullmq/redis-url.js';
import { loadConfig } from '../../config/load-config.js';
import { UsageError } from '../../errors.js';
import { checkCommand, describeCommandProblem } from '../../process/check-command.js';
import { agentOrigin } from '../check-agent.js';
import { EXIT } from '../exit-codes.js';
import { writeLine, type CliIO } from '../io.js';
import { SETTING_FLAG_NAMES, type SettingFlags } from './setting-flags.js';

export interface WorkerOptions extends SettingFlags {
  dir?: string;
  concurrency?: string;
  name?: string;
}

/**
 * `chorus worker`: takes the jobs a bullmq leader queues and runs them here, in this clone, with
 * this clone's `.chorus.json` (which agent, its program and model): a job never carries a command
 * line. Runs until Ctrl-C or SIGTERM, then ends its agents and gives their jobs back (the leader
 * runs them again elsewhere), exit 130.
 */
export async function workerCommand(opts: WorkerOptions, io: CliIO): Promise<number> {
  const repoDir = path.resolve(opts.dir ?? process.cwd());
  const config = await loadConfig(repoDir, opts.settingFlags ?? {}, SETTING_FLAG_NAMES);
  const { settings } = config;
  const concurrency = opts.concurrency === undefined ? settings.maxAgents : Number(opts.concurrency);
  if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    throw new UsageError('CHORUS_BAD_CONCURRENCY', `--concurrency takes a whole number from 1 to 256, not ${JSON.stringify(opts.concurrency)}`);
  }
  const name = opts.name ?? `${hostname()}-${process.pid}`;
  if (!/^[\w.@-]{1,64}$/.test(name)) throw new UsageError('CHORUS_BAD_WORKER_NAME', `--name takes letters, digits, ".", "_", "@" and "-" (at most 64), not ${JSON.stringify(name)}`);
  // Its own agent must start here: a worker that could run nothing says so at once.
  const problem = checkCommand(settings.agentCommand, { cwd: repoDir, pathEnv: settings.agentEnv['PATH'] ?? process.env['PATH'] });
  if (problem) throw new UsageError('CHORUS_AGENT_CANNOT_START', `this worker's agent cannot be started: ${describeCommandProblem(problem, agentOrigin(config))}`);
  const redis = redisTarget(settings.redisUrl, config.sources.redisUrl === 'flag' ? '--redis-url' : 'orchestration.redisUrl in .chorus.json');
  const worker = new ChorusWorker({
    repoDir,
    settings,
    agentOrigin: agentOrigin(config),
    redis,
    queue: queueNameFor(repoDir, settings.queue),
    name,
    concurrency,
    say: (line) => writeLine(io.stdout, line),
  });
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const off = io.onInterrupt(() => stop());
  try {
    await worker.start();
    await stopped;
    writeLine(io.stdout, `chorus worker ${name}: stopping; running agents are ended and their jobs go back to the leader`);
  } finally {
    off();
    await worker.stop();
  }
  return EXIT.interrupted;
}
