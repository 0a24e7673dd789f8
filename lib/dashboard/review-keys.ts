import { isAwaitingReview } from '../task/review.js';
import { taskBranch } from '../task/task-paths.js';
import { oneLine } from '../text/one-line.js';
import type { DashboardSource } from './source.js';
import { fit } from './text.js';
import type { Tone } from './theme.js';
import type { UiState } from './ui-state.js';

/** What the review keys read and change: the source (its tasks, controls, diffs), the dashboard's state, the message line. */
export interface ReviewKeyContext {
  source: DashboardSource;
  ui: UiState;
  say(text: string, tone?: Tone | null): void;
  redraw(): void;
}

/**
 * `D`, `A`, `R` on the selected task (mergeMode "review"): its branch's diff in the log pane; approve
 * after a question naming it; reject with a reason typed on the message line. Each says why it does
 * nothing on a task that does not await review; watching another chorus's run, A and R say where
 * they can be done instead (that chorus holds the run lock).
 */
export function reviewAction(ctx: ReviewKeyContext, action: 'diff' | 'approve' | 'reject'): void {
  const { source, ui } = ctx;
  const id = ui.selected;
  if (action !== 'diff' && !source.controls) return ctx.say(readOnlyAnswer(source, action, id), 'warning');
  if (id === null) return ctx.say('no task selected', 'warning');
  const task = source.tasks().get(id);
  if (!task || !isAwaitingReview(task)) {
    const what = task ? `it is ${task.status}` : 'it is not in the tracker';
    return ctx.say(`${id} is not awaiting review (${what}): D, A and R act on a task whose verified branch waits for a person (mergeMode "review")`, 'warning');
  }
  const title = fit(oneLine(task.title), 24);
  if (action === 'diff') return showDiff(ctx, id);
  ui.confirming = id;
  if (action === 'approve') {
    ui.mode = 'confirm-approve';
    return ctx.say(`approve ${id} "${title}"? y = yes, any other key = no (merges ${taskBranch(id)} through the merge queue, verified again if the base moved, and closes it)`, 'warning');
  }
  ui.mode = 'reject-reason';
  ui.reason = '';
  return ctx.say(reasonPrompt(id, ''), 'warning');
}

/** A key while A's question or R's prompt is open. */
export function reviewModeKey(ctx: ReviewKeyContext, ch: string | undefined, full: string | undefined): void {
  const { ui } = ctx;
  const id = ui.confirming!;
  const controls = ctx.source.controls;
  if (ui.mode === 'confirm-approve') {
    ui.mode = 'normal';
    delete ui.confirming;
    if (ch !== 'y' && ch !== 'Y') return ctx.say(`${id}: not approved`);
    const answer = controls!.approve(id);
    if (!answer.ok) return ctx.say(answer.reason, 'warning');
    ctx.say(`${id}: approved; merging ${answer.branch} into ${answer.baseBranch} through the merge queue…`);
    answer.done.then(
      (ended) => ctx.say(ended.status === 'closed' ? `${id}: ${ended.reason}; closed` : `${id}: ${ended.reason}`, ended.status === 'closed' ? 'closed' : 'blocked'),
      (error: unknown) => ctx.say(`${id}: approve failed: ${error instanceof Error ? error.message : String(error)}`, 'blocked'),
    );
    return;
  }
  const reason = ui.reason ?? '';
  if (full === 'escape') {
    leave(ui);
    return ctx.say(`${id}: not rejected`);
  }
  if (full === 'enter') {
    if (!reason.trim()) return ctx.say(`${reasonPrompt(id, reason)} · a reason is required: the agent is told it`, 'warning');
    leave(ui);
    const answer = controls!.reject(id, reason);
    if (!answer.ok) return ctx.say(answer.reason, 'warning');
    const { started } = answer;
    if (!started.ok) return ctx.say(`${id}: rejected, back to open; not started: ${started.reason}`, 'warning');
    return ctx.say(started.waitsForSlot ? `${id}: rejected; its agent runs again with your reason when a slot frees` : `${id}: rejected; its agent runs again with your reason as feedback`);
  }
  if (full === 'backspace') ui.reason = reason.slice(0, -1);
  else if (ch !== undefined && ch.length === 1 && ch >= ' ' && ch !== '\x7f') ui.reason = reason + ch;
  ctx.say(reasonPrompt(id, ui.reason ?? ''), 'warning');
}

function reasonPrompt(id: string, reason: string): string {
  return `reject ${id}, why? ${reason}▏  (Enter sends it to the agent, Esc cancels)`;
}

function leave(ui: UiState): void {
  ui.mode = 'normal';
  delete ui.confirming;
  delete ui.reason;
}

/** The branch's diff, read by git (a moment on a big one), then shown in the log pane, focused so arrows scroll it. */
function showDiff(ctx: ReviewKeyContext, id: string): void {
  const read = ctx.source.reviewDiff;
  if (!read) return ctx.say(`${id}: no diff to show: workspace is not "worktree" here`, 'warning');
  ctx.say(`${id}: reading the diff of ${taskBranch(id)}…`);
  read(id).then(
    (lines) => {
      if (ctx.ui.selected !== id) return;
      ctx.ui.diff = { id, lines };
      ctx.ui.focus = 'log';
      ctx.say(`${id}: the diff of ${taskBranch(id)} in the log pane (↑↓ PgUp PgDn scroll; Esc or l: the log again)`);
    },
    (error: unknown) => ctx.say(`${id}: no diff: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`, 'warning'),
  );
}

function readOnlyAnswer(source: DashboardSource, action: 'approve' | 'reject', id: string | null): string {
  const mode = source.mode;
  const who = mode.kind === 'watching' && mode.pid !== null ? `pid ${mode.pid}` : 'another chorus';
  const command = action === 'approve' ? `chorus approve ${id ?? 'ID'}` : `chorus reject ${id ?? 'ID'} --reason TEXT`;
  return `not available: read-only (${who} holds the run lock): \`${command}\` after that batch, or ${action === 'approve' ? 'A' : 'R'} in the dashboard that runs it`;
}
