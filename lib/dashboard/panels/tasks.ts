import type { Widgets } from 'blessed';
import type { Rect } from '../layout.js';
import { FILTER_LABEL, STATUS_NAMES } from '../state/status-filter.js';
import type { DepState, RowState, TaskRow } from '../state/task-rows.js';
import { cell, minuteDuration, shortDuration } from '../text.js';
import type { Tone } from '../theme.js';
import { fitColumns, headerLine, type Column, type ColumnSpec } from './columns.js';
import { applyMove, placeBox, setLines, textBox, titleBar, type Frame, type Move, type Panel } from './panel.js';

/** The tracker's status in a word; `in_progress` reads as running. */
export function statusWord(status: string): string {
  return status === 'in_progress' ? 'running' : status;
}

/** A row's status word: `claimed` for a task in progress that none of the run's agents has (a person's, another tool's). */
export function rowStatusWord(row: TaskRow): string {
  if (row.state === 'running') return 'running';
  if (row.state === 'blocked' && row.aside === 'review') return 'review';
  return row.status === 'in_progress' && row.state === 'other' ? 'claimed' : statusWord(row.status);
}

export function stateTone(state: RowState): Tone {
  return state === 'other' ? 'muted' : state;
}

/** ✓, ⏳ 2, ⏳ later, ✗ failed, ✗ cycle: the dependency column, with the tone it is drawn in. */
export function depText(dep: DepState): { text: string; tone: Tone } {
  switch (dep.kind) {
    case 'ok':
      return { text: '✓', tone: 'closed' };
    case 'waiting':
      return { text: `⏳ ${dep.on}`, tone: 'waiting' };
    case 'deferred':
      return { text: '⏳ later', tone: 'waiting' };
    case 'failed':
      return { text: '✗ failed', tone: 'blocked' };
    case 'cycle':
      return { text: '✗ cycle', tone: 'blocked' };
  }
}

/**
 * The task table: one line per task of the batch, only the lines that fit drawn (a 10,000-task
 * tracker costs what its visible rows cost). The selected row is marked with › and inverse.
 */
export class TasksPanel implements Panel {
  readonly element: Widgets.BoxElement;
  #rect: Rect = { top: 0, left: 0, width: 0, height: 0 };
  /** Index of the first row shown. */
  #top = 0;
  /** Index of the selected row in the visible rows. */
  #index = 0;
  /** Whether that row is the selected task (not when another pane selected a task the table does not show). */
  #marked = true;
  /**
   * Until a person moves the selection, it stays on the top row (what runs, or starts next) rather
   * than on a task: the first task selected would otherwise sink with it as it closes, taking the
   * view away from the running ones. Home follows the top again.
   */
  #followTop = true;
  /** Each row's last line, by the row object (a changed task gets a new one). */
  readonly #lines = new WeakMap<TaskRow, { key: string; text: string }>();

  constructor(screen: Widgets.Screen) {
    this.element = textBox(screen);
  }

  place(rect: Rect): void {
    this.#rect = rect;
    placeBox(this.element, rect);
  }

  /**
   * Keeps the marker on the selected task as rows reorder. When that task left the list (a filter,
   * a search) the table picks the nearest row, if `choose`; otherwise (another pane chose a task
   * the table does not show) the selection stays and no row is marked. Returns the selected id.
   */
  reconcile(frame: Frame, wanted: string | null, choose: boolean): string | null {
    const ids = frame.rows.visible();
    if (choose && this.#followTop) {
      this.#index = 0;
      this.#marked = true;
      return ids[0] ?? null;
    }
    const at = wanted === null ? -1 : ids.indexOf(wanted);
    this.#marked = at >= 0 || choose;
    if (at >= 0) this.#index = at;
    if (at >= 0 || !choose) return wanted;
    if (ids.length === 0) {
      this.#index = 0;
      return null;
    }
    this.#index = Math.min(this.#index, ids.length - 1);
    return ids[this.#index]!;
  }

  /** Selects `id` (a problem's task, a click); the selection then stays with it. False when the table does not show it. */
  select(frame: Frame, id: string): boolean {
    const at = frame.rows.visible().indexOf(id);
    if (at < 0) return false;
    this.#index = at;
    this.#marked = true;
    this.#followTop = false;
    return true;
  }

  /** The task on screen row `y` (a click), if a row of the table is there. */
  idAt(frame: Frame, y: number): string | undefined {
    const line = y - this.#rect.top - 2;
    if (line < 0 || line >= this.#rect.height - 2) return undefined;
    return frame.rows.visible()[this.#top + line];
  }

  /** A person acted on the selected task (Enter, r, x): the selection stays with it from now on, as after a move. */
  stayOn(): void {
    this.#followTop = false;
  }

  /** Arrows, j/k, PgUp/PgDn, Home/End over the rows; the id now selected. */
  move(frame: Frame, move: Move): string | null {
    const ids = frame.rows.visible();
    if (ids.length === 0) return null;
    this.#index = applyMove(this.#index, move, ids.length, this.#rect.height - 2);
    this.#marked = true;
    this.#followTop = 'to' in move && move.to === 'first';
    return ids[this.#index]!;
  }

  draw(frame: Frame): void {
    const { theme, rows } = frame;
    const width = this.#rect.width;
    const body = Math.max(0, this.#rect.height - 2);
    const ids = rows.visible();
    if (this.#index < this.#top) this.#top = this.#index;
    if (this.#index >= this.#top + body) this.#top = this.#index - body + 1;
    this.#top = Math.max(0, Math.min(this.#top, Math.max(0, ids.length - body)));

    const counts = rows.counts();
    const parts = [`Tasks · ${ids.length === counts.total ? `${counts.total}` : `${ids.length} of ${counts.total}`}`, rows.sort === 'dispatch' ? 'dispatch order' : 'by id'];
    if (rows.filter !== 'all') parts.push(`${FILTER_LABEL[rows.filter]} (f)`);
    if (rows.query) parts.push(`/${rows.query}`);
    if (ids.length > body) parts.push(`${this.#top + 1}-${Math.min(ids.length, this.#top + body)}`);
    const columns = columnsFor(width, rows.idWidth, frame.run.taskSpend.size > 0);
    const header = theme.bold(headerLine(columns));
    const lines = [titleBar(parts.join(' · '), width, theme, frame.focus === 'tasks'), header];
    for (let i = this.#top; i < Math.min(ids.length, this.#top + body); i += 1) {
      const row = rows.get(ids[i]!);
      if (row) lines.push(this.#line(row, columns, frame, this.#marked && i === this.#index));
    }
    if (ids.length === 0) lines.push(cell(emptyText(rows), width));
    setLines(this.element, lines);
  }

  #line(row: TaskRow, columns: Column[], frame: Frame, selected: boolean): string {
    const { theme, run, now } = frame;
    const agent = run.agents.get(row.id);
    const ended = run.ended.get(row.id);
    const elapsed = agent ? minuteDuration(now - agent.startedAt) : ended && ended.durationMs > 0 ? shortDuration(ended.durationMs) : '';
    const attempts = run.attempts.get(row.id);
    const spent = run.taskSpend.get(row.id);
    const spentText = spent === undefined ? '' : `$${spent.toFixed(2)}`;
    // A row's line is made again only when something it shows changed: most rows of a frame are as they were.
    const key = `${columns.map((c) => c.width).join(',')} ${selected} ${theme.colour} ${agent?.slot ?? ''} ${elapsed} ${attempts ?? ''} ${spentText}`;
    const cached = this.#lines.get(row);
    if (cached?.key === key) return cached.text;
    const dep = depText(row.dep);
    const values: Record<string, { text: string; tone?: Tone }> = {
      mark: { text: selected ? '›' : ' ' },
      id: { text: row.id },
      priority: { text: `P${row.priority}` },
      type: { text: row.type },
      status: { text: rowStatusWord(row), tone: stateTone(row.state) },
      dep: dep,
      slot: { text: agent ? String(agent.slot) : '' },
      elapsed: { text: elapsed },
      attempts: { text: attempts ? String(attempts) : '' },
      spent: { text: spentText },
      title: { text: row.title },
    };
    const cells = columns
      .map((c) => {
        const value = values[c.name]!;
        const shown = cell(value.text, c.width, c.align === 'right' ? 'right' : 'left');
        return value.tone && !selected ? theme.paint(value.tone, shown) : shown;
      })
      .join(' ');
    const text = selected ? theme.inverse(cells) : cells;
    this.#lines.set(row, { key, text });
    return text;
  }
}

/** What an empty table says: why nothing shows. */
function emptyText(rows: Frame['rows']): string {
  const unknown = rows.parsedQuery.unknown;
  if (unknown !== null) return `  status:${unknown} means nothing here: status: takes ${STATUS_NAMES.join(', ')}`;
  if (rows.filter !== 'all' || rows.query) return '  nothing matches (f cycles the filter, / searches, Esc clears both)';
  return '  no work: every task is closed';
}

/** Ids wider than this are cut (with …); up to it the id column is as wide as the widest id listed. */
const ID_CAP = 28;

/**
 * Columns that fit `width`: the id as wide as the ids need (up to ID_CAP), and the title with what
 * is left. When the title would get less than its least, the least useful columns go first (spent,
 * type, agent slot, attempts, priority, time, dependencies), then the id narrows to 9.
 */
function columnsFor(width: number, idWidth: number, withSpend: boolean): Column[] {
  const fixed: ColumnSpec[] = [
    { name: 'mark', header: '', width: 1 },
    { name: 'id', header: 'id', width: Math.max(4, Math.min(ID_CAP, idWidth)), least: Math.min(9, Math.max(4, idWidth)) },
    { name: 'priority', header: 'P', width: 2, keep: 4 },
    { name: 'type', header: 'type', width: 7, keep: 1 },
    { name: 'status', header: 'status', width: 7 },
    { name: 'dep', header: 'deps', width: 8, keep: 6 },
    // The agent's slot, as the Agents pane numbers them (up to 3 digits: maxAgents goes to 256).
    { name: 'slot', header: 'slot', width: 4, align: 'right', keep: 2 },
    { name: 'elapsed', header: 'time', width: 6, align: 'right', keep: 5 },
    { name: 'attempts', header: 'try', width: 3, align: 'right', keep: 3 },
    ...(withSpend ? [{ name: 'spent', header: 'spent', width: 6, align: 'right' as const, keep: 0 }] : []),
  ];
  // The title keeps at least 12 columns, and 30% of a wider table.
  return fitColumns(fixed, { name: 'title', header: 'title', least: Math.max(12, Math.floor(width * 0.3)) }, width);
}
