import type { RecoveryAction, RecoveryPlan } from './plan-recovery.js';

/** What performing a plan did (some groups may survive even SIGKILL). */
export interface RecoveryDone {
  groupsEnded: number;
  /** Groups with members left after SIGKILL and the wait: tried again at the next start. */
  groupsLeft: number;
}

/** Whether recovery has anything to say: a run ended hard, or something to set right. */
export function hasNews(plan: RecoveryPlan): boolean {
  return plan.actions.length > 0 || plan.runs.some((r) => r.state === 'ended-hard');
}

/**
 * One line for a command's output: what recovery did. Pure.
 * "chorus: recovered from a run that ended hard (pid 123): 2 tasks back to open, 1 agent group ended"
 */
export function describeRecovery(plan: RecoveryPlan, done: RecoveryDone): string {
  const parts = taskParts(plan.actions, false);
  if (done.groupsEnded > 0) parts.push(count(done.groupsEnded, 'agent group') + ' ended');
  if (done.groupsLeft > 0) parts.push(`${count(done.groupsLeft, 'agent group')} still alive after SIGKILL (tried again at the next start)`);
  return `chorus: recovered from ${runsPhrase(plan)}: ${parts.length ? parts.join(', ') : 'nothing was left to set right'}`;
}

/**
 * For `chorus status`, which changes nothing: what the next batch, run or retry would do, and the
 * runs it leaves alone. Pure. Empty when there is nothing to say.
 */
export function describePendingRecovery(plan: RecoveryPlan): string[] {
  const lines: string[] = [];
  for (const run of plan.runs) {
    if (run.state === 'running') lines.push(`A chorus is running here: pid ${run.pid} (${run.command}, since ${run.since}); its tasks are left alone.`);
    if (run.state === 'unknown') lines.push(`A chorus ran here from another machine or container: pid ${run.pid} (${run.command}, since ${run.since}); left alone.`);
  }
  if (hasNews(plan)) {
    const groups = plan.actions.filter((a) => a.type === 'end-group');
    const parts = taskParts(plan.actions, true);
    if (groups.length > 0) {
      const pids = groups.flatMap((g) => g.pids);
      parts.push(`end ${count(groups.length, 'agent group')} still running (pid ${pids.join(', ')})`);
    }
    const what = parts.length ? `the next batch, run or retry will ${parts.join(', ')}` : 'nothing is left to set right';
    lines.push(`${capitalize(runsPhrase(plan))}: ${what}.`);
  }
  return lines;
}

function runsPhrase(plan: RecoveryPlan): string {
  const hard = plan.runs.filter((r) => r.state === 'ended-hard');
  if (hard.length === 1) return `a run that ended hard (pid ${hard[0]!.pid})`;
  if (hard.length > 1) return `${hard.length} runs that ended hard (pids ${hard.map((r) => r.pid).join(', ')})`;
  return 'a run that did not finish writing its results';
}

function taskParts(actions: readonly RecoveryAction[], future: boolean): string[] {
  const ids = (to: string) => actions.flatMap((a) => (a.type === 'repair-task' && a.to === to ? [a.task] : []));
  const list = (tasks: string[]) => (future ? ` (${tasks.slice(0, 10).join(', ')}${tasks.length > 10 ? ', ...' : ''})` : '');
  const parts: string[] = [];
  const open = ids('open');
  const closed = ids('closed');
  const blocked = ids('blocked');
  const assignee = ids('assignee');
  if (open.length) parts.push(`${future ? 'put ' : ''}${count(open.length, 'task')} back to open${list(open)}`);
  if (closed.length) parts.push(`${future ? 'close' : 'closed'} ${count(closed.length, 'task')} its journal recorded as done${list(closed)}`);
  if (blocked.length) parts.push(`${future ? 'block' : 'blocked'} ${count(blocked.length, 'task')} as its journal recorded${list(blocked)}`);
  if (assignee.length) parts.push(`${future ? 'take' : 'took'} chorus's claim off ${count(assignee.length, 'closed task')}${list(assignee)}`);
  const onWorkers = actions.flatMap((a) => (a.type === 'reattach' ? [a.task] : []));
  if (onWorkers.length) parts.push(`${future ? 're-attach to' : 're-attaching to'} ${count(onWorkers.length, 'task')} still on the queue's workers${list(onWorkers)}`);
  return parts;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
