import { hostname } from 'node:os';
import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { AgentKind } from '../agents/report.js';
import type { Settings } from '../config/schema.js';
import { noAgentResult } from '../executor/no-agent-result.js';
import type { ExecutorEvent, KillReason, RunResult, WorkspaceSpec } from '../executor/types.js';
import { taskPaths } from '../task/task-paths.js';
import { LocalExecutor } from '../pool/local-executor.js';
import { connectOrExplain } from './connect.js';
import { forwardLog } from './forward-log.js';
import { HEARTBEAT_MS, keysOf, WORKER_STOPPED, type QueueJobData, type WorkerInfo } from './protocol.js';
import type { RedisTarget } from './redis-url.js';
import { publishTaskBranch, startTaskBranch } from './worker-branch.js';
import { beat, leave } from './worker-registry.js';

export interface ChorusWorkerOptions {
  /** This worker's own clone of the repository: its settings say what it may run, its agents work here. */
  repoDir: string;
  settings: Settings;
  /** Where its agent command was set, for messages. */
  agentOrigin: string;
  redis: RedisTarget;
  queue: string;
  name: string;
  /** Agents at once on this machine. */
  concurrency: number;
  /** What the worker tells its person (a line each). */
  say: (line: string) => void;
}

/**
 * `chorus worker`: takes the queue's jobs and runs each the way the local pool does (timeouts,
 * retries of crashes, the stall watchdog, usage limits, process-group kills, worktree and verify),
 * in this machine's clone, with this clone's own settings: a job names a task, its brief and a
 * preset, never a command line. It reports every event and every byte of the agent's output to
 * the leader as they come, then the result, and beats in the queue's registry while it lives.
 */
export class ChorusWorker {
  private readonly keys;
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private worker: Worker<QueueJobData, RunResult> | undefined;
  private readonly local: LocalExecutor;
  private readonly cancels = new Map<string, (reason: KillReason) => void>();
  private heartbeat: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly agents: AgentKind[];

  constructor(private readonly options: ChorusWorkerOptions) {
    this.keys = keysOf(options.queue);
    this.redis = new Redis(options.redis.options);
    this.subscriber = new Redis(options.redis.options);
    this.agents = [options.settings.agent];
    this.local = new LocalExecutor({
      repoDir: options.repoDir,
      settings: options.settings,
      agentOrigin: options.agentOrigin,
      capacity: options.concurrency,
    });
    for (const connection of [this.redis, this.subscriber]) connection.on('error', () => undefined);
  }

  async start(): Promise<void> {
    const { options } = this;
    await connectOrExplain(this.redis, options.redis.display);
    await this.subscriber.subscribe(this.keys.cancel);
    this.subscriber.on('message', (_channel, text: string) => {
      try {
        const { jobId, reason } = JSON.parse(text) as { jobId: string; reason: KillReason };
        this.cancels.get(jobId)?.(reason);
      } catch {
        // not a cancel of ours
      }
    });
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat().catch(() => undefined), HEARTBEAT_MS);
    this.worker = new Worker<QueueJobData, RunResult>(options.queue, (job) => this.process(job), {
      connection: options.redis.options as ConnectionOptions,
      concurrency: options.concurrency,
      // A worker that dies lets go of its jobs this long after its last renewal; the stalled check
      // of any other worker then fails them (never runs them again itself): the leader reruns each
      // as a new attempt, fenced, so a late word of the old one is ignored.
      lockDuration: 15_000,
      stalledInterval: 10_000,
      maxStalledCount: 0,
    });
    this.worker.on('error', () => undefined);
    options.say(`chorus worker ${options.name}: taking jobs from ${options.queue} on ${options.redis.display}, up to ${options.concurrency} at once (${this.agents.join(', ')})`);
  }

  /** Ctrl-C: no new jobs; running agents are ended and their jobs given back (the leader runs them again elsewhere). */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.heartbeat);
    for (const cancel of this.cancels.values()) cancel('shutdown');
    await this.worker?.close();
    await this.local.close();
    await leave(this.redis, this.keys.workers, this.options.name).catch(() => undefined);
    this.subscriber.disconnect();
    this.redis.disconnect();
  }

  private beat(): Promise<void> {
    const info: WorkerInfo = {
      name: this.options.name,
      host: hostname(),
      pid: process.pid,
      concurrency: this.options.concurrency,
      busy: this.cancels.size,
      agents: this.agents,
      at: Date.now(),
    };
    return beat(this.redis, this.keys.workers, info);
  }

  private async process(bullJob: Job<QueueJobData, RunResult>): Promise<RunResult> {
    const { options } = this;
    const jobId = bullJob.id!;
    const data = bullJob.data;
    // This machine's own agentEnv (its keys, its PATH) wins over the leader's; CHORUS_WORKER names it.
    const job = { ...data.job, env: { ...data.job.env, ...options.settings.agentEnv, CHORUS_WORKER: options.name } };
    const report = (kind: 'event' | 'result', payload: unknown) =>
      this.redis.xadd(this.keys.reports, 'MAXLEN', '~', '100000', '*', 'k', kind, 'j', jobId, 'w', options.name, 'd', JSON.stringify(payload));
    const refuse = async (code: string, message: string): Promise<RunResult> => {
      const result = noAgentResult(job.taskId, 'spawn-error', { error: { name: 'ChorusError', code, message }, reason: message });
      await report('result', result);
      return result;
    };
    if (job.taskAgent) return refuse('CHORUS_WORKER_CANNOT_RUN', `worker ${options.name} runs no task's own agent command (metadata.chorus.agent): such a task runs only on the local executor`);
    if (!this.agents.includes(job.agent)) {
      return refuse('CHORUS_WORKER_CANNOT_RUN', `worker ${options.name} runs ${this.agents.join(', ')} (its own .chorus.json), not ${job.agent}`);
    }
    if (job.workspace?.ownVerify) {
      return refuse('CHORUS_WORKER_CANNOT_RUN', `worker ${options.name} runs no task's own verify command (metadata.chorus.verify): such a task runs only on the local executor`);
    }
    if (job.workspace) {
      // Setup and verify are command lines: this clone's own settings say them, never the job. This
      // clone's own base may be behind the leader's: the agent's CHORUS_BASE is the remote's, fetched
      // by startTaskBranch (a conflict round rebases onto it), and this clone's checkout is left alone.
      const baseRef = `${options.settings.gitRemote}/${job.workspace.baseBranch}`;
      job.workspace = { ...job.workspace, setup: options.settings.worktreeSetup, verify: options.settings.verify, baseRef };
      try {
        await startTaskBranch(options.repoDir, options.settings.gitRemote, job.taskId, job.workspace);
      } catch (error) {
        const message = `worker ${options.name} could not start ${job.workspace.branch} from ${options.settings.gitRemote}: ${(error as Error).message}`;
        const result = noAgentResult(job.taskId, 'spawn-error', { error: { name: 'ChorusError', code: 'CHORUS_WORKTREE_FAILED', message }, reason: message });
        await report('result', result);
        return result;
      }
    }
    const preflight = this.local.preflight(job);
    if (!preflight.ok) return refuse('CHORUS_WORKER_CANNOT_RUN', `worker ${options.name}: ${preflight.reason}`);

    const logPath = this.local.logFile(job.taskId);
    const send = (kind: 'output' | 'verify-output') => (bytes: Buffer) => {
      void this.redis.xadd(this.keys.reports, 'MAXLEN', '~', '100000', '*', 'k', kind, 'j', jobId, 'w', options.name, 'd', bytes);
    };
    const forwarder = forwardLog(logPath, send('output'));
    // worktree mode: setup's and verify's output too, for the leader's copy of the task's verify log.
    const verifyForwarder = job.workspace ? forwardLog(taskPaths(options.repoDir, job.taskId).verifyLog, send('verify-output')) : undefined;
    const handle = this.local.run(job, (event: ExecutorEvent) => {
      if (event.type === 'end') return;
      // A process on this machine means nothing to the leader's: it gets the worker's name for it.
      const remote: ExecutorEvent =
        event.type === 'attempt-start'
          ? { type: 'attempt-start', taskId: event.taskId, attempt: event.attempt, command: event.command, at: event.at, ref: jobId, where: `${options.name} (pid ${event.pid ?? '?'})` }
          : event;
      void report('event', remote);
    });
    let stopped = false;
    this.cancels.set(jobId, (reason) => {
      stopped = reason === 'shutdown' && this.stopping;
      handle.cancel(reason);
    });
    // The registry says at once how busy this worker is (status and doctor read it), not at the next beat.
    void this.beat().catch(() => undefined);
    // A cancel sent while this worker was away from Redis is waiting in its key.
    const missed = await this.redis.get(this.keys.cancelled(jobId)).catch(() => null);
    if (missed) handle.cancel(missed as KillReason);
    try {
      let result = await handle.done;
      await forwarder.finish();
      await verifyForwarder?.finish();
      if (stopped) throw new Error(`${WORKER_STOPPED}: worker ${options.name} stopped while running it`);
      if (job.workspace && result.outcome !== 'killed') result = await this.publish(job.taskId, job.workspace, result);
      await report('result', result);
      return result;
    } finally {
      forwarder.stop();
      verifyForwarder?.stop();
      this.cancels.delete(jobId);
      void this.beat().catch(() => undefined);
    }
  }

  /** worktree mode: the task's branch goes to the shared remote for the leader; a push that fails blocks the task, saying why. */
  private async publish(taskId: string, spec: WorkspaceSpec, result: RunResult): Promise<RunResult> {
    const { options } = this;
    const done = result.outcome === 'success' && (result.workspace?.verify?.ok ?? true);
    try {
      await publishTaskBranch(options.repoDir, options.settings.gitRemote, taskId, spec, done);
      return result;
    } catch (error) {
      const message = `worker ${options.name} could not push ${spec.branch} to ${options.settings.gitRemote}: ${(error as Error).message}`;
      return { ...result, outcome: 'spawn-error', error: { name: 'ChorusError', code: 'CHORUS_WORKTREE_FAILED', message }, reason: message };
    }
  }
}
