import { normalizeTask } from '../../lib/beads/normalize-task.js';
import type { Task } from '../../lib/task/task.js';
import type { AttemptEntry, ClaimEntry, JournalEntry, OutcomeEntry, RunEntry } from '../../lib/journal/entries.js';
import { tableView, type ProcessIdentity, type ProcessView } from '../../lib/process/process-identity.js';
import type { ProcessSpace, ProcStat } from '../../lib/process/processes.js';

// Builders for the pure recovery tests: a journal, a tracker and a process table made by hand.

export const SPACE: ProcessSpace = { host: 'box', boot: 'boot-1', pidns: 'pid:[4026531836]' };
export const NOW = new Date('2026-03-01T12:00:00.000Z');

export function proc(pid: number, start: string, extra: Partial<ProcStat> = {}): ProcStat {
  return { pid, start, state: 'S', ppid: 1, pgrp: pid, ...extra };
}

/** The processes as a table: each given process, nothing else. */
export function processes(list: ProcStat[], space: ProcessSpace = SPACE): ProcessView {
  return tableView(space, new Map(list.map((p) => [p.pid, p])));
}

export function identity(pid: number, start: string | null, space: ProcessSpace = SPACE): ProcessIdentity {
  return { ...space, pid, start };
}

export function runStart(run: string, chorus: ProcessIdentity, at = '2026-03-01T11:00:00.000Z'): RunEntry {
  return { type: 'run', v: 1, run, at, chorus, command: 'batch' };
}

export function claim(run: string, task: string, from: ClaimEntry['from'] = { assignee: null, startedAt: null }, at = '2026-03-01T11:00:01.000Z'): ClaimEntry {
  return { type: 'claim', run, at, task, from };
}

export function attempt(run: string, task: string, agent: ProcessIdentity, n = 1): AttemptEntry {
  return { type: 'attempt', run, at: '2026-03-01T11:00:02.000Z', task, attempt: n, agent, pgid: agent.pid, log: `.beads/agent-output/${task}.log` };
}

export function outcome(run: string, task: string, status: OutcomeEntry['status'], extra: Partial<OutcomeEntry> = {}): OutcomeEntry {
  return { type: 'outcome', run, at: '2026-03-01T11:00:05.000Z', task, status, ...extra };
}

/** A tracker as a map of tasks, from raw lines. */
export function tracker(...raws: Record<string, unknown>[]): Map<string, Task> {
  return new Map(raws.map((raw) => [String(raw['id']), normalizeTask(raw, String(raw['id']))]));
}

export function line(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, title: `Task ${id}`, status: 'open', updated_at: '2026-03-01T10:00:00.000Z', ...extra };
}

/** A task as chorus's claim left it in the tracker. */
export function claimed(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return line(id, { status: 'in_progress', assignee: 'chorus', started_at: '2026-03-01T11:00:01.000Z', updated_at: '2026-03-01T11:00:01.000Z', ...extra });
}

export type { JournalEntry };
