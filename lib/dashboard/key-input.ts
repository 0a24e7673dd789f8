import { killQuestion, performDispatch, type DispatchContext } from './actions.js';
import type { Grid } from './grid.js';
import { bindingFor, type Action } from './keys.js';
import { FILTER_CYCLE, FILTER_LABEL, STATUS_NAMES } from './state/status-filter.js';
import { PANES, type Frame, type Move } from './panels/panel.js';
import type { DashboardSource } from './source.js';
import type { RunState } from './state/run-state.js';
import type { TaskRows } from './state/task-rows.js';
import type { Theme, Tone } from './theme.js';
import type { UiState } from './ui-state.js';
import { reviewAction, reviewModeKey } from './review-keys.js';

/** Why the dashboard asks to end: `quit` (q, confirmed when agents run), `interrupt` (Ctrl-C), `error` (a bug: restore the screen, then report it). */
export type ExitReason = { kind: 'quit' } | { kind: 'interrupt' } | { kind: 'error'; error: unknown };

export type { Mode } from './ui-state.js';

/** The dashboard's state the keys read and change. */
export interface KeyContext {
  source: DashboardSource;
  run: RunState;
  rows: TaskRows;
  grid: Grid;
  theme: Theme;
  ui: UiState;
  frame(): Frame;
  say(text: string, tone?: Tone | null): void;
  exit(reason: ExitReason): void;
  redraw(): void;
}

const MOVES: Partial<Record<Action, Move>> = {
  up: { by: -1 },
  down: { by: 1 },
  'page-up': { page: -1 },
  'page-down': { page: 1 },
  first: { to: 'first' },
  last: { to: 'last' },
};

/**
 * One key, as blessed reports it. Modes first (an open overlay, the quit question, a search being
 * typed take every key), then the bindings table. Ctrl-C always stops.
 */
export function handleKey(ctx: KeyContext, ch: string | undefined, full: string | undefined): void {
  const { ui, rows, grid } = ctx;
  if (full === 'return' || full === 'linefeed') return; // blessed reports \r twice: as `enter` and as `return`
  const binding = bindingFor(full, ch);
  if (binding?.action === 'interrupt') return ctx.exit({ kind: 'interrupt' });
  if (ui.mode === 'leaving') return;
  if (ui.mode === 'help') {
    const step = binding?.action === 'up' ? -1 : binding?.action === 'down' ? 1 : binding?.action === 'page-up' ? -10 : binding?.action === 'page-down' ? 10 : 0;
    if (step === 0 || !grid.help.scroll(step)) {
      ui.mode = 'normal';
      grid.help.hide();
    }
    return ctx.redraw();
  }
  if (ui.mode === 'confirm-quit') {
    ui.mode = 'normal';
    if (ch === 'y' || ch === 'Y') return ctx.exit({ kind: 'quit' });
    return ctx.say('quit cancelled');
  }
  if (ui.mode === 'confirm-kill') {
    ui.mode = 'normal';
    const id = ui.confirming!;
    delete ui.confirming;
    if (ch !== 'y' && ch !== 'Y') return ctx.say(`${id}: not ended`);
    const answer = performDispatch('kill', { ...dispatchContext(ctx), selected: id });
    return ctx.say(answer.text, answer.tone);
  }
  if (ui.mode === 'confirm-approve' || ui.mode === 'reject-reason') return reviewModeKey(ctx, ch, full);
  if (ui.mode === 'search') return searchKey(ctx, ch, full);
  if (ui.mode === 'problems') return problemsKey(ctx, binding?.action, ch, full);
  if (ui.mode === 'charts') {
    ui.mode = 'normal';
    grid.charts.hide();
    return ctx.redraw();
  }
  if (ui.mode === 'log') {
    if (binding?.action === 'log' || binding?.action === 'clear' || binding?.action === 'quit') {
      ui.mode = 'normal';
      grid.fullLog.element.hide();
      return ctx.redraw();
    }
    if (binding?.action === 'wrap') return toggleWrap(ctx);
    const m = binding ? MOVES[binding.action] : undefined;
    if (m) grid.fullLog.move(ctx.frame(), m);
    return ctx.redraw();
  }
  if (!binding) return;
  // A diff in the log pane: Esc or l brings the log back (before Esc clears a search, before l opens the full-screen log).
  if (ui.diff && (binding.action === 'clear' || binding.action === 'log')) {
    ui.diff = null;
    return ctx.say('the log pane shows the log again');
  }
  if (binding.action === 'diff' || binding.action === 'approve' || binding.action === 'reject') return reviewAction(ctx, binding.action);
  const m = MOVES[binding.action];
  if (m) {
    move(ctx, m);
    return ctx.redraw();
  }
  if (binding.dispatch) {
    const acted = ui.selected;
    // The selection stays on the task a person acted on, wherever its row moves (and a second x asks about it again, never the next one).
    if (acted !== null && (binding.action === 'start' || binding.action === 'retry' || binding.action === 'kill') && ui.focus === 'tasks') grid.tasks.stayOn();
    if (binding.action === 'kill' && ctx.source.controls && acted !== null) {
      const question = killQuestion(dispatchContext(ctx), acted);
      if (!question.ask) return ctx.say(question.text, 'warning');
      ui.mode = 'confirm-kill';
      ui.confirming = acted;
      return ctx.say(question.text, 'warning');
    }
    const answer = performDispatch(binding.action, dispatchContext(ctx));
    return ctx.say(answer.text, answer.tone);
  }
  switch (binding.action) {
    case 'next-pane':
    case 'previous-pane': {
      const step = binding.action === 'next-pane' ? 1 : -1;
      ui.focus = PANES[(PANES.indexOf(ui.focus) + step + PANES.length) % PANES.length]!;
      return ctx.redraw();
    }
    case 'filter': {
      rows.filter = FILTER_CYCLE[(FILTER_CYCLE.indexOf(rows.filter) + 1) % FILTER_CYCLE.length]!;
      const next = FILTER_CYCLE[(FILTER_CYCLE.indexOf(rows.filter) + 1) % FILTER_CYCLE.length]!;
      return ctx.say(rows.filter === 'all' ? 'showing all tasks' : `showing ${FILTER_LABEL[rows.filter]} only (f: ${FILTER_LABEL[next]})`);
    }
    case 'problems':
      ui.mode = 'problems';
      grid.problems.show();
      return ctx.redraw();
    case 'charts':
      ui.mode = 'charts';
      grid.charts.show(ctx.theme);
      return ctx.redraw();
    case 'failures':
      grid.events.failuresOnly = !grid.events.failuresOnly;
      return ctx.say(grid.events.failuresOnly ? 'events: failures only (e shows every event)' : 'events: every event');
    case 'sort':
      rows.sort = rows.sort === 'dispatch' ? 'id' : 'dispatch';
      return ctx.say(rows.sort === 'dispatch' ? 'sorted by dispatch order' : 'sorted by id');
    case 'search':
      ui.mode = 'search';
      return ctx.say(`/${rows.query}▏  (Enter keeps it, Esc clears it)`);
    case 'log':
      if (ui.selected === null) return ctx.say('no task selected', 'warning');
      ui.mode = 'log';
      grid.fullLog.element.show();
      grid.fullLog.element.setFront();
      return ctx.redraw();
    case 'wrap':
      return toggleWrap(ctx);
    case 'help':
      ui.mode = 'help';
      grid.help.show(grid.layout.overlay, ctx.theme, ctx.source.controls !== null);
      return ctx.redraw();
    case 'clear':
      rows.query = '';
      rows.filter = 'all';
      return ctx.say('search and filter cleared');
    case 'quit': {
      const n = ctx.run.agents.size;
      if (ctx.source.controls && n > 0) {
        ui.mode = 'confirm-quit';
        return ctx.say(`${n} agent${n === 1 ? ' is' : 's are'} running: end ${n === 1 ? 'it' : 'them'} and quit? y = yes, any other key = no`, 'warning');
      }
      return ctx.exit({ kind: 'quit' });
    }
    default:
      return;
  }
}

function toggleWrap(ctx: KeyContext): void {
  ctx.ui.wrapLogs = !ctx.ui.wrapLogs;
  ctx.say(ctx.ui.wrapLogs ? 'log lines wrap (w cuts them)' : 'log lines are cut at the edge (w wraps them)');
}

function dispatchContext(ctx: KeyContext): DispatchContext {
  return { source: ctx.source, run: ctx.run, rows: ctx.rows, selected: ctx.ui.selected, now: ctx.frame().now };
}

/** Arrows and the like act on the focused pane; in the task and agent panes they move the selection. */
function move(ctx: KeyContext, m: Move): void {
  const { ui, grid } = ctx;
  const frame = ctx.frame();
  if (ui.focus === 'tasks') ui.selected = grid.tasks.move(frame, m);
  else if (ui.focus === 'agents') ui.selected = grid.agents.move(frame, m) ?? ui.selected;
  else if (ui.focus === 'log') grid.log.move(frame, m);
  else grid.events.move(frame, m);
}

/** The Problems view takes the keys while open: move, dismiss, show the task, close. */
function problemsKey(ctx: KeyContext, action: Action | undefined, ch: string | undefined, full: string | undefined): void {
  const { ui, grid, rows } = ctx;
  const close = () => {
    ui.mode = 'normal';
    grid.problems.hide();
  };
  if (action === 'problems' || action === 'clear' || action === 'quit') {
    close();
    return ctx.redraw();
  }
  const m = action ? MOVES[action] : undefined;
  if (m) {
    grid.problems.move(ctx.frame(), m);
    return ctx.redraw();
  }
  const frame = ctx.frame();
  const chosen = grid.problems.selected(frame);
  if (ch === 'd' && chosen) {
    ctx.run.problems.dismiss(chosen.key);
    return ctx.say(`dismissed: ${chosen.id ?? 'the run'} ${chosen.kind}`);
  }
  if (ch === 'D' && chosen) return ctx.say(`dismissed all ${ctx.run.problems.dismissAll()} problems`);
  if (full === 'enter' && chosen?.id) {
    close();
    // Shown whatever the filter and the search hid.
    if (!rows.visible().includes(chosen.id)) {
      rows.filter = 'all';
      rows.query = '';
    }
    ui.focus = 'tasks';
    if (grid.tasks.select(ctx.frame(), chosen.id)) ui.selected = chosen.id;
    else return ctx.say(`${chosen.id} is not in the task table (no longer remaining work)`, 'warning');
    return ctx.redraw();
  }
}

function searchKey(ctx: KeyContext, ch: string | undefined, full: string | undefined): void {
  const { ui, rows } = ctx;
  if (full === 'enter') {
    ui.mode = 'normal';
    const unknown = rows.parsedQuery.unknown;
    if (unknown !== null) return ctx.say(`status:${unknown} means nothing here: status: takes ${STATUS_NAMES.join(', ')}`, 'warning');
    return ctx.say(rows.query ? `search: ${rows.query} (Esc clears it)` : '');
  }
  if (full === 'escape') {
    ui.mode = 'normal';
    rows.query = '';
    return ctx.say('search cleared');
  }
  if (full === 'backspace') rows.query = rows.query.slice(0, -1);
  else if (ch !== undefined && ch.length === 1 && ch >= ' ' && ch !== '\x7f') rows.query += ch;
  ctx.say(`/${rows.query}▏  (Enter keeps it, Esc clears it)`);
}
