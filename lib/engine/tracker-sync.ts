import { TaskGraph } from '../graph/index.js';
import { ReadyQueue } from '../schedule/ready-queue.js';
import { SchedulerGraph } from '../schedule/scheduler-graph.js';
import { countWork, type WorkCounts } from '../schedule/work-counts.js';
import type { Task } from '../task/task.js';
import { PacedRescan } from './paced-rescan.js';
import type { RunContext } from './run-context.js';
import { errorMessage } from './run-failures.js';

/**
 * The engine's picture of the tracker: the whole tracker's index (readiness rules), the work that
 * remains on graphlib (what scheduling walks), and the ready queue in dispatch order. Kept in step
 * with the tracker: a close releases what it unblocked without a rescan; when someone else writes
 * the tracker, the graphs are built again from it (paced, one rebuild at a time) and what became
 * ready is queued.
 */
export class TrackerSync {
  /** The whole tracker's index; built anew when someone else changes the tracker. */
  index: TaskGraph;
  /** The work that remains, on graphlib. Built with the index. */
  scheduler: SchedulerGraph;
  queue: ReadyQueue<Task>;
  /** The tracker's merge count last looked at: a different one means someone else wrote it. */
  private mergesSeen = 0;
  readonly rescans: PacedRescan;

  constructor(private readonly ctx: RunContext) {
    this.index = ctx.deps.graph;
    this.scheduler = new SchedulerGraph(this.index, ctx.deps.settings.skipTypes);
    this.queue = new ReadyQueue<Task>(this.scheduler.compare);
    this.rescans = new PacedRescan(
      () => this.rescanRound(),
      () => ctx.stopReason !== null,
      () => ctx.checkSettled(),
    );
  }

  /** At the start of a run: queue what it runs (`ids`, or everything ready now). */
  fill(ids: readonly string[] | undefined, now: number): void {
    this.mergesSeen = this.ctx.deps.store.stats.merges;
    if (ids) {
      for (const id of ids) {
        const task = this.ctx.deps.store.tasks().get(id);
        if (task) this.queue.push(task);
      }
      return;
    }
    for (const task of this.scheduler.readyTasks(now)) this.queue.push(task);
  }

  /** After a read of the tracker: when others wrote it meanwhile, look at it as a watcher would have. */
  afterRead(): void {
    if (this.ctx.deps.store.stats.merges !== this.mergesSeen) this.rescans.request();
  }

  /** Builds the graphs again now (an agent's edits were just taken in), timed for the pacing. */
  rebuildNow(): void {
    this.rescans.timed(() => this.rebuild());
  }

  /** A close takes the task off the scheduler graph; what that released joins the queue (not for `chorus run ID...`). */
  releaseAfterClose(closedId: string, now: number): void {
    const released = this.scheduler.close(closedId, now);
    if (this.ctx.only) return;
    for (const task of released) {
      this.queue.push(task);
      this.ctx.emit({ type: 'task.ready', at: now, id: task.id, title: task.title, unblockedBy: closedId });
    }
  }

  /** The remaining work by state (lib/schedule/work-counts.ts): the batch's summary reads its `waiting`. */
  countWork(now: number): WorkCounts {
    return countWork(this.scheduler, now, (task) => this.ctx.running.has(task.id));
  }

  /** How many tasks this run would start if every one succeeded (the progress plan). */
  plannedTotal(now: number): number {
    return this.scheduler.plan(now).reduce((n, wave) => n + wave.length, 0);
  }

  /**
   * The tracker changed (a person, `bd`, an agent, or chorus's own write). Reading it merges what
   * others wrote; when they did write, the graphs are built again and what became ready (a new
   * task, a reopened one, one whose blocker someone closed) is queued at once.
   */
  private async rescanRound(): Promise<void> {
    const { deps, clock } = this.ctx;
    await deps.store.sync().catch((error: unknown) => this.ctx.emit({ type: 'store.error', at: clock.now(), message: errorMessage(error) }));
    if (deps.store.stats.merges === this.mergesSeen) return;
    this.rescans.timed(() => this.rebuild());
    this.ctx.pump();
  }

  private rebuild(): void {
    const { deps, running, tally, unusable, only } = this.ctx;
    const now = this.ctx.clock.now();
    this.mergesSeen = deps.store.stats.merges;
    const tasks = deps.store.tasks();
    this.index = new TaskGraph(tasks.values(), { skipTypes: deps.settings.skipTypes });
    this.scheduler = new SchedulerGraph(this.index, deps.settings.skipTypes);
    const queue = new ReadyQueue<Task>(this.scheduler.compare);
    let added = 0;
    if (!only) {
      for (const task of this.scheduler.readyTasks(now)) {
        if (running.has(task.id)) continue;
        // A task this run let go of (killed by a person, skipped) waits for a retry; one it blocked
        // that somebody reopened since is theirs to run again.
        const ended = tally.statusOf(task.id);
        if (ended === 'open' || ended === 'skipped' || unusable.leftOpen(task.id)) continue;
        if (!this.queue.has(task.id)) {
          added += 1;
          this.ctx.emit({ type: 'task.ready', at: now, id: task.id, title: task.title, unblockedBy: null });
        }
        queue.push(task);
      }
    } else {
      for (const id of only) {
        const task = tasks.get(id);
        if (task && this.queue.has(id)) queue.push(task);
      }
    }
    this.queue = queue;
    this.ctx.emit({ type: 'tracker.changed', at: now, newlyReady: added });
  }
}
