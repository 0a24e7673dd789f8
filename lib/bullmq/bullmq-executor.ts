import { appendFileSync, closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Executor, ExecutorNotice, ExecutorRun, Preflight } from '../executor/executor.js';
import { localLogFile } from '../executor/log-source.js';
import { noAgentResult } from '../executor/no-agent-result.js';
import type { ExecutorEvent, KillReason, RunResult, TaskJob } from '../executor/types.js';
import { taskPaths } from '../task/task-paths.js';
import { connectOrExplain } from './connect.js';
import { takeLeaderLock, type LeaderLock } from './leader-lock.js';
import { jobIdOf, keysOf, WORKER_STOPPED, type QueueJobData, type WorkerInfo, type WorkerReport } from './protocol.js';
import type { RedisTarget } from './redis-url.js';
import { connectedWorkers } from './worker-registry.js';

export interface BullmqExecutorOptions {
  repoDir: string;
  queue: string;
  redis: RedisTarget;
  /** The command this leader runs (`batch`, `dashboard`, ...), for the lock's holder. */
  command: string;
  /** How often the leader looks at the workers (and every JOB_CHECK_EVERY polls at its jobs' states). @default 1000 */
  pollMs?: number;
}

/** The leader looks at its jobs' states every this many polls (the workers it looks at every poll). */
const JOB_CHECK_EVERY = 5;

/** One run of a task as the leader follows it across the jobs it takes (a rerun is a new job). */
interface Followed {
  job: TaskJob;
  run: number;
  jobId: string;
  /** Attempts the runs before this one used, and the highest this one has told. */
  attemptBase: number;
  attemptsSeen: number;
  onEvent: (event: ExecutorEvent) => void;
  resolve: (result: RunResult) => void;
  /** The leader's copy of the task's log, appended as the worker's output arrives. */
  logFd: number | undefined;
  cancelled: KillReason | null;
  /** When the job was added: how long it has waited for a worker. */
  addedAt: number;
  /** BullMQ has the job (added, or found again): from then on a job that is gone means the run is over. */
  queued: boolean;
}

/**
 * The leader's side of executor "bullmq": each run of a task becomes one BullMQ job on the queue,
 * taken by whichever `chorus worker` is free; what the worker reports (events, every byte of
 * output, the result) comes back through one Redis stream and is told as the local pool would
 * tell it, the output appended to `.beads/agent-output/<id>.log` here. The leader alone holds the
 * tracker, the graph, the journal and the merge queue; one leader per queue (a lock with a TTL).
 *
 * A worker that goes away (its job's lock lapses and another worker's stalled check fails it) is
 * not a silent failover: the run goes on as a new job, a new attempt, and what the old job may
 * still send is ignored (its id is no longer the task's).
 */
export class BullmqExecutor implements Executor {
  readonly name = 'bullmq';
  private readonly keys;
  private readonly runs = new Map<string, Followed>();
  private readonly byJob = new Map<string, Followed>();
  /**
   * The last run number each task's jobs took in this leader's batch, kept after the run ends: a
   * later run of the task (a conflict round, a retry) needs a job id of its own, since BullMQ keeps
   * a finished job a day and ignores a job added under its id.
   */
  private readonly lastRun = new Map<string, number>();
  private readonly listeners = new Set<(notice: ExecutorNotice) => void>();
  private workers: WorkerInfo[] = [];
  private lastNotice = '';
  /** The workers (name and busy count) views were last told of. */
  private workersSeen = '';
  private polls = 0;
  private lastId = '$';
  private closed = false;
  private readonly loops: Promise<void>[] = [];
  private pollTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly options: BullmqExecutorOptions,
    private readonly redis: Redis,
    private readonly reader: Redis,
    private readonly queue: Queue,
    private readonly lock: LeaderLock,
  ) {
    this.keys = keysOf(options.queue);
  }

  /** Connects, takes the queue's leader lock (CHORUS_LEADER_HELD when another leader lives), starts following. */
  static async open(options: BullmqExecutorOptions): Promise<BullmqExecutor> {
    const redis = new Redis(options.redis.options);
    redis.on('error', () => undefined);
    try {
      await connectOrExplain(redis, options.redis.display);
    } catch (error) {
      redis.disconnect();
      throw error;
    }
    const keys = keysOf(options.queue);
    const lock = await takeLeaderLock(redis, keys.leader, options.queue, options.command).catch((error: unknown) => {
      redis.disconnect();
      throw error;
    });
    const reader = redis.duplicate();
    reader.on('error', () => undefined);
    const queue = new Queue(options.queue, { connection: options.redis.options as ConnectionOptions });
    queue.on('error', () => undefined);
    const executor = new BullmqExecutor(options, redis, reader, queue, lock);
    // Reports from now on: a leader that starts reads what workers say from here.
    executor.lastId = (await redis.xrevrange(keys.reports, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0';
    // Know the workers before the first preflight.
    executor.workers = await connectedWorkers(redis, keys.workers);
    executor.start();
    return executor;
  }

  /** The workers that beat lately (refreshed every poll). */
  get connected(): readonly WorkerInfo[] {
    return this.workers;
  }

  watch(listener: (notice: ExecutorNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  preflight(job: TaskJob): Preflight {
    if (job.taskAgent) {
      return { ok: false, reason: `task ${job.taskId} names its own agent command (metadata.chorus.agent): workers run only presets and their own settings, so it runs only on the local executor` };
    }
    if (this.workers.length > 0 && !this.workers.some((w) => w.agents.includes(job.agent))) {
      const have = this.workers.map((w) => `${w.name} (${w.agents.join(', ')})`).join(', ');
      return { ok: false, reason: `no worker connected to ${this.options.queue} runs ${job.agent}: ${have}` };
    }
    return { ok: true, command: `${job.agent} on a chorus worker`, commandOrigin: `the workers' own .chorus.json (queue ${this.options.queue})` };
  }

  run(job: TaskJob, onEvent: (event: ExecutorEvent) => void): ExecutorRun {
    const { followed, handle } = this.follow(job, onEvent);
    void this.enqueue(followed);
    return handle;
  }

  /** The leader's record of a run of `job`, before any job is queued for it. */
  private follow(job: TaskJob, onEvent: (event: ExecutorEvent) => void): { followed: Followed; handle: ExecutorRun } {
    let resolve!: (result: RunResult) => void;
    const done = new Promise<RunResult>((r) => (resolve = r));
    const logPath = localLogFile(this.options.repoDir, job.taskId);
    mkdirSync(path.dirname(logPath), { recursive: true });
    const followed: Followed = {
      job,
      run: Math.max(this.runs.get(job.taskId)?.run ?? 0, this.lastRun.get(job.taskId) ?? 0) + 1,
      jobId: '',
      attemptBase: 0,
      attemptsSeen: 0,
      onEvent,
      resolve: (result) => {
        if (this.runs.get(job.taskId) !== followed) return;
        this.runs.delete(job.taskId);
        this.byJob.delete(followed.jobId);
        if (followed.logFd !== undefined) closeSync(followed.logFd);
        followed.logFd = undefined;
        onEvent({ type: 'end', taskId: job.taskId });
        resolve(result);
      },
      logFd: openSync(logPath, 'a'),
      cancelled: null,
      addedAt: Date.now(),
      queued: false,
    };
    this.runs.set(job.taskId, followed);
    return { followed, handle: { done, cancel: (reason) => void this.cancel(followed, reason) } };
  }

  /**
   * A job an earlier leader queued (`ref`, its id in the journal): followed from here. Its result
   * is taken if it ended while no leader listened; if its worker went away meanwhile, it runs again
   * as a new attempt. The output it printed before is in the worker's copy of the log, not here.
   */
  reattach(job: TaskJob, ref: string, attempt: number, onEvent: (event: ExecutorEvent) => void): ExecutorRun {
    const { followed, handle: followedRun } = this.follow(job, onEvent);
    // Not a new job: the earlier one, under its own id.
    followed.jobId = ref;
    followed.run = Number(/\.(\d+)$/.exec(ref)?.[1] ?? 1);
    followed.attemptBase = Math.max(0, attempt - 1);
    followed.attemptsSeen = attempt;
    followed.queued = true;
    this.byJob.set(ref, followed);
    if (followed.logFd !== undefined) {
      writeSync(followed.logFd, `=== chorus · ${new Date().toISOString()} · the leader started again and follows this run on the queue's worker; what the agent printed while no leader listened is in that worker's copy of this log ===\n`);
    }
    void this.queue.getJob(ref).then((found) => {
      const data = found?.data as QueueJobData | undefined;
      if (data && this.runs.get(job.taskId) === followed) followed.attemptBase = data.attemptBase;
    }, () => undefined);
    void this.check(followed).catch(() => undefined);
    return followedRun;
  }

  logFile(taskId: string): string {
    return localLogFile(this.options.repoDir, taskId);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pollTimer);
    this.reader.disconnect();
    await Promise.allSettled(this.loops);
    await this.queue.close().catch(() => undefined);
    await this.lock.release();
    this.redis.disconnect();
  }

  private start(): void {
    this.redis.on('reconnecting', () => this.notice(`Redis at ${this.options.redis.display} is not answering; waiting for it (agents on the workers go on)`));
    this.redis.on('ready', () => this.lastNotice.startsWith('Redis') && this.notice(`Redis at ${this.options.redis.display} answers again`));
    this.loops.push(this.readReports());
    this.pollTimer = setInterval(() => void this.poll().catch(() => undefined), this.options.pollMs ?? 1_000);
    void this.poll().catch(() => undefined);
  }

  private async enqueue(followed: Followed): Promise<void> {
    followed.queued = false;
    followed.jobId = jobIdOf(followed.job.taskId, this.lock.holder.token, followed.run);
    this.lastRun.set(followed.job.taskId, followed.run);
    followed.addedAt = Date.now();
    this.byJob.set(followed.jobId, followed);
    const data: QueueJobData = { job: followed.job, run: followed.run, attemptBase: followed.attemptBase, leader: this.lock.holder.token };
    try {
      await this.queue.add('task', data as never, { jobId: followed.jobId, attempts: 1, removeOnComplete: { age: 86_400 }, removeOnFail: { age: 86_400 } });
      followed.queued = true;
    } catch (error) {
      followed.resolve(noAgentResult(followed.job.taskId, 'spawn-error', { error: { name: 'ChorusError', code: 'CHORUS_QUEUE_FAILED', message: `could not queue ${followed.job.taskId} on ${this.options.queue}: ${(error as Error).message}` } }));
    }
  }

  private async cancel(followed: Followed, reason: KillReason): Promise<void> {
    if (followed.cancelled || this.runs.get(followed.job.taskId) !== followed) return;
    followed.cancelled = reason;
    const job = await this.queue.getJob(followed.jobId).catch(() => undefined);
    const state = await job?.getState().catch(() => 'unknown');
    if (job && (state === 'waiting' || state === 'prioritized' || state === 'delayed')) {
      // Not taken yet: it never runs.
      const removed = await job.remove().then(() => true, () => false);
      if (removed) {
        followed.resolve(noAgentResult(followed.job.taskId, 'killed', { killedBy: reason, reason: `killed (${reason}) before a worker took it`, attempts: followed.attemptBase }));
        return;
      }
    }
    await this.redis.set(this.keys.cancelled(followed.jobId), reason, 'EX', 3_600).catch(() => undefined);
    await this.redis.publish(this.keys.cancel, JSON.stringify({ jobId: followed.jobId, reason })).catch(() => undefined);
  }

  /** What workers report, in order, from the one stream; a report about a job no run follows now is dropped (fenced). */
  private async readReports(): Promise<void> {
    while (!this.closed) {
      let answer: [string, [string, Buffer[]][]][] | null;
      try {
        answer = (await this.reader.xreadBuffer('BLOCK', 1_000, 'STREAMS', this.keys.reports, this.lastId)) as unknown as [string, [string, Buffer[]][]][] | null;
      } catch {
        if (this.closed) return;
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      for (const [, entries] of answer ?? []) {
        for (const [id, fields] of entries) {
          this.lastId = id.toString();
          const report = parseReport(fields);
          if (report) this.take(report);
        }
      }
    }
  }

  private take(report: WorkerReport): void {
    const followed = this.byJob.get(report.jobId);
    if (!followed || this.runs.get(followed.job.taskId) !== followed) return;
    if (report.kind === 'output') {
      if (followed.logFd !== undefined) writeSync(followed.logFd, report.bytes);
      return;
    }
    if (report.kind === 'verify-output') {
      // Best effort, as the worktree log is elsewhere: the result carries verify's tail anyway.
      try {
        appendFileSync(taskPaths(this.options.repoDir, followed.job.taskId).verifyLog, report.bytes);
      } catch {
        // the folder is chorus's own and writable (checked at start); nothing else to do here
      }
      return;
    }
    if (report.kind === 'event') {
      const event = report.event;
      if (event.type === 'end') return;
      if (event.type === 'attempt-start' || event.type === 'attempt-end' || event.type === 'retry') {
        const attempt = event.attempt + followed.attemptBase;
        followed.attemptsSeen = Math.max(followed.attemptsSeen, attempt);
        followed.onEvent({ ...event, attempt });
        return;
      }
      followed.onEvent(event);
      return;
    }
    const result = report.result;
    if (result.error?.code === 'CHORUS_WORKER_CANNOT_RUN' && this.workers.some((w) => w.name !== report.worker && w.agents.includes(followed.job.agent)) && followed.run < 20) {
      // This worker may not run it, another may: queue it again for them (a refusal is not an attempt).
      this.byJob.delete(followed.jobId);
      followed.run += 1;
      void this.enqueue(followed);
      return;
    }
    followed.resolve({ ...result, attempts: result.attempts + followed.attemptBase });
  }

  /** Every poll: the workers there are, and what became of each job (a worker gone, a job failed, a result the stream lost). */
  private async poll(): Promise<void> {
    if (this.closed) return;
    this.workers = await connectedWorkers(this.redis, this.keys.workers);
    // Each job's state costs round trips (a leader following 8 silent agents spent most of its idle
    // CPU on them at one look a second); what they show (a worker gone, a result the stream lost)
    // comes 15 s late at best anyway (a dead worker's lock must lapse first).
    if (this.polls++ % JOB_CHECK_EVERY === 0) for (const followed of [...this.runs.values()]) await this.check(followed);
    const waiting = [...this.runs.values()].filter((f) => f.attemptsSeen === f.attemptBase).length;
    if (this.workers.length === 0 && waiting > 0) {
      this.notice(`waiting for workers: none connected to ${this.options.queue} (start one with \`chorus worker --redis ${this.options.redis.display}\`)`);
    } else if (this.workers.length > 0 && this.lastNotice.startsWith('waiting for workers')) {
      this.notice(`workers connected to ${this.options.queue}: ${this.workers.map((w) => `${w.name} (${w.busy}/${w.concurrency} busy)`).join(', ')}`);
    }
    // Views list the workers (how busy each is): a change reaches them without a line of its own.
    const seen = workersSignature(this.workers);
    if (seen !== this.workersSeen) {
      this.workersSeen = seen;
      for (const listener of this.listeners) listener({ message: this.lastNotice, workers: this.workers.map((w) => ({ ...w })), workersOnly: true });
    }
  }

  private async check(followed: Followed): Promise<void> {
    const jobId = followed.jobId;
    const job = await this.queue.getJob(jobId);
    if (this.runs.get(followed.job.taskId) !== followed || followed.jobId !== jobId) return;
    if (!job) {
      // Gone from the queue (removed by hand, or kept past its day): nothing will report on it.
      if (followed.queued) followed.resolve(noAgentResult(followed.job.taskId, 'killed', { killedBy: 'shutdown', attempts: followed.attemptsSeen, reason: `its job ${jobId} is no longer on the queue ${this.options.queue}` }));
      return;
    }
    const state = await job.getState();
    const returned = job.returnvalue as RunResult | undefined;
    if (state === 'completed' && returned) {
      // The stream's entry was trimmed or missed (the leader was away): the job keeps the result.
      setTimeout(() => this.runs.get(followed.job.taskId) === followed && followed.jobId === job.id && followed.resolve({ ...returned, attempts: returned.attempts + followed.attemptBase }), 2_000).unref();
      return;
    }
    if (state !== 'failed') return;
    const why = job.failedReason ?? '';
    const workerGone = /stalled|lock|WORKER_STOPPED|CHORUS_WORKER_STOPPED/i.test(why) || why.includes(WORKER_STOPPED);
    if (!workerGone || followed.cancelled) {
      followed.resolve(noAgentResult(followed.job.taskId, followed.cancelled ? 'killed' : 'spawn-error', { attempts: followed.attemptsSeen, ...(followed.cancelled ? { killedBy: followed.cancelled } : {}), error: { name: 'ChorusError', code: 'CHORUS_WORKER_FAILED', message: `the worker's job for ${followed.job.taskId} failed: ${why}` }, reason: why }));
      return;
    }
    // The worker went away mid-run: the run goes on as a new job, a new attempt (what the old one may still send is ignored).
    const next = followed.attemptsSeen + 1;
    followed.onEvent({ type: 'retry', taskId: followed.job.taskId, attempt: next, delayMs: 0, reason: `its worker went away (${why.split('\n')[0]}); run again on another worker`, at: Date.now() });
    this.byJob.delete(followed.jobId);
    followed.attemptBase = followed.attemptsSeen;
    followed.run += 1;
    await this.enqueue(followed);
  }

  private notice(message: string): void {
    if (message === this.lastNotice) return;
    this.lastNotice = message;
    this.workersSeen = workersSignature(this.workers);
    for (const listener of this.listeners) listener({ message, workers: this.workers.map((w) => ({ ...w })) });
  }
}

/** Who is connected and how busy: what the views list of the workers. */
function workersSignature(workers: readonly WorkerInfo[]): string {
  return workers.map((w) => `${w.name} ${w.busy}/${w.concurrency}`).join(',');
}

function parseReport(fields: Buffer[]): WorkerReport | null {
  const map = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!.toString(), fields[i + 1]!);
  const kind = map.get('k')?.toString();
  const jobId = map.get('j')?.toString();
  const worker = map.get('w')?.toString() ?? '?';
  const data = map.get('d');
  if (!jobId || !data) return null;
  try {
    if (kind === 'output' || kind === 'verify-output') return { kind, jobId, worker, bytes: data };
    if (kind === 'event') return { kind, jobId, worker, event: JSON.parse(data.toString()) as ExecutorEvent };
    if (kind === 'result') return { kind, jobId, worker, result: JSON.parse(data.toString()) as RunResult };
  } catch {
    return null;
  }
  return null;
}
