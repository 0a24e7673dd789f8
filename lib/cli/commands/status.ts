import { lastBlockedReason } from '../../task/notes.js';
import { isAwaitingReview } from '../../task/review.js';
import { taskBranch } from '../../task/task-paths.js';
import { CHORUS_ASSIGNEE, isBlockedByChorus } from '../../schedule/transitions.js';
import { EXIT } from '../exit-codes.js';
import { writeLine, type CliIO } from '../io.js';
import { openRepo, type OpenRepo } from '../open-repo.js';
import type { DoctorCheck } from '../doctor-checks.js';
import { oneLine } from '../../text/one-line.js';
import { recover } from '../recover.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pendingQuota } from '../../journal/compact.js';
import { journalPath, readJournal } from '../../journal/journal-file.js';
import { formatWallClock } from '../../text/wall-clock.js';
import { taskSpend } from '../task-spend.js';
import type { SettingFlags } from './setting-flags.js';
import { roundedUsd } from '../../agents/usage-text.js';
import { SchedulerGraph } from '../../schedule/scheduler-graph.js';
import { countWork, describePlanShare, describeWorkCounts } from '../../schedule/work-counts.js';

export interface StatusOptions extends SettingFlags {
  dir?: string;
  json?: boolean;
}

/**
 * `chorus status`: counts by status, what chorus is running and what it blocked (with why), ready
 * and cycles, and what the next run would set right after a run that ended hard. Changes nothing.
 */
export async function statusCommand(opts: StatusOptions, io: CliIO): Promise<number> {
  const repo = await openRepo(opts.dir, opts.settingFlags ?? {}, io);
  const { store, graph } = repo;
  const recovery = await recover(repo, { reportOnly: true });
  const stranded = new Set(recovery.plan.actions.flatMap((a) => (a.type === 'repair-task' ? [a.task] : [])));
  const counts: Record<string, number> = {};
  const running: { id: string; title: string; startedAt: string | null; stranded: boolean; worker?: string }[] = [];
  const file = journalPath(repo.repoDir);
  const entries = existsSync(file) ? readJournal(file).entries : [];
  // executor "bullmq": the worker each task's latest attempt runs on.
  const where = new Map<string, string>();
  for (const entry of entries) if (entry.type === 'attempt' && entry.where) where.set(entry.task, entry.where);
  const blocked: { id: string; title: string; reason: string | null; branch?: string }[] = [];
  const awaitingReview: { id: string; title: string; branch: string }[] = [];
  for (const task of store.tasks().values()) {
    if (task.status === 'tombstone') continue;
    counts[task.status] = (counts[task.status] ?? 0) + 1;
    if (task.status === 'in_progress' && task.assignee === CHORUS_ASSIGNEE) {
      const worker = where.get(task.id);
      running.push({ id: task.id, title: task.title, startedAt: stringField(task.raw['started_at']), stranded: stranded.has(task.id), ...(worker ? { worker } : {}) });
    } else if (isAwaitingReview(task)) {
      awaitingReview.push({ id: task.id, title: task.title, branch: taskBranch(task.id) });
    } else if (isBlockedByChorus(task)) {
      // workspace "worktree": its branch and worktree are kept for a person to look at.
      const kept = existsSync(path.join(repo.repoDir, '.chorus', 'worktrees', task.id));
      blocked.push({ id: task.id, title: task.title, reason: lastBlockedReason(task.raw['notes']), ...(kept ? { branch: taskBranch(task.id) } : {}) });
    }
  }
  const now = Date.now();
  const ready = graph.readyTasks(now).map((t) => t.id);
  // The remaining work counted as the dashboard and batch count it (lib/schedule/work-counts.ts), and what a batch would start of it.
  const scheduler = new SchedulerGraph(graph, repo.config.settings.skipTypes);
  const work = countWork(scheduler, now, (task) => task.status === 'in_progress' && task.assignee === CHORUS_ASSIGNEE);
  const planned = scheduler.plan(now).reduce((n, wave) => n + wave.length, 0);
  const cycles = graph.cycles();
  const waits = pendingQuota(entries).waits;
  const executor = await executorLines(repo);
  const spend = taskSpend(store.tasks().values());
  if (opts.json) {
    // What the next batch, run or retry would do (each action with its patch or the pids it would end).
    const pendingRecovery = { runs: recovery.plan.runs, actions: recovery.plan.actions, summary: recovery.pending };
    const spent = { total: spend.total, tasks: Object.fromEntries(spend.tasks), parents: Object.fromEntries(spend.parents) };
    const quota = waits.map((w) => ({ agent: w.agent, resumesAt: new Date(w.resumesAt).toISOString(), probe: w.probe, text: w.text }));
    io.stdout.write(`${JSON.stringify({ counts, work: { ...work, planned }, ready, running, blocked, awaitingReview, cycles, problems: store.problems, recovery: pendingRecovery, quota, spent, ...(executor.length ? { executor: executor.map((c) => ({ name: c.name, status: c.status, message: c.message, details: c.details })) } : {}) })}
`);
    return EXIT.ok;
  }
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const byStatus = Object.entries(counts).map(([s, n]) => `${n} ${oneLine(s)}`);
  writeLine(io.stdout, `${total} task${total === 1 ? '' : 's'}${byStatus.length ? `: ${byStatus.join(', ')}` : ''}`);
  writeLine(io.stdout, `${ready.length} ready now${ready.length ? `: ${ready.slice(0, 10).join(', ')}${ready.length > 10 ? ', ...' : ''}` : ''}`);
  const share = describePlanShare(planned, work.total);
  writeLine(io.stdout, `Work left: ${work.total} (${describeWorkCounts(work)}); a batch would run ${planned}${share ? `: ${share}` : ''}`);
  if (running.length) writeLine(io.stdout, `Running under chorus (${running.length}):`);
  for (const r of running) {
    const note = r.stranded ? '  (its chorus ended hard: goes back to open at the next batch, run or retry)' : '';
    writeLine(io.stdout, `  ▶ ${r.id}  ${oneLine(r.title)}${r.startedAt ? `  since ${oneLine(r.startedAt)}` : ''}${r.worker ? `  on worker ${oneLine(r.worker)}` : ''}${note}`);
  }
  if (blocked.length) writeLine(io.stdout, `Blocked by chorus (${blocked.length}); \`chorus retry ID\` reopens and runs:`);
  for (const b of blocked) {
    writeLine(io.stdout, `  ✗ ${b.id}  ${oneLine(b.title)}${b.reason ? `: ${oneLine(b.reason)}` : ''}`);
    if (b.branch) writeLine(io.stdout, `      branch ${b.branch}, worktree .chorus/worktrees/${b.id}`);
  }
  if (awaitingReview.length) writeLine(io.stdout, `Awaiting review (${awaitingReview.length}); \`chorus review\` shows the diffs, \`chorus approve ID\` merges, \`chorus reject ID --reason TEXT\` sends back:`);
  for (const r of awaitingReview) writeLine(io.stdout, `  ? ${r.id}  ${oneLine(r.title)}  (branch ${r.branch})`);
  for (const cycle of cycles) writeLine(io.stdout, `Cycle (never started): ${cycle.join(' -> ')}`);
  for (const w of waits) writeLine(io.stdout, `${w.agent}: waiting for the usage limit, resumes at ${formatWallClock(w.resumesAt)}${w.probe ? ' (reset unknown: one task tries first)' : ''}: ${oneLine(w.text)}`);
  if (spend.total > 0) {
    writeLine(io.stdout, `Spent, as the agents reported it: ${roundedUsd(spend.total)}`);
    const top = [...spend.parents].sort((a, b) => b[1] - a[1]).slice(0, 5);
    for (const [id, usd] of top) writeLine(io.stdout, `  ${id}  ${roundedUsd(usd)} (with its children)`);
    for (const [id, usd] of [...spend.tasks].sort((a, b) => b[1] - a[1]).slice(0, 5)) writeLine(io.stdout, `  ${id}  ${roundedUsd(usd)}`);
  }
  for (const check of executor) writeLine(io.stdout, `${check.name === 'workers' ? 'Workers' : 'Redis'}: ${check.message}`);
  for (const line of recovery.pending) writeLine(io.stdout, line);
  if (store.problems.length) writeLine(io.stdout, `${store.problems.length} line(s) of the tracker could not be read (see warnings).`);
  return EXIT.ok;
}

/** executor "bullmq": the Redis server and the workers connected to the queue, as doctor checks them (nothing for the local executor). */
async function executorLines(repo: OpenRepo): Promise<DoctorCheck[]> {
  if (repo.config.settings.executor !== 'bullmq') return [];
  return (await import('../doctor-executor.js')).executorChecks(repo.repoDir, repo.config.settings, repo.config.sources.redisUrl);
}

function stringField(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

