import blessed, { type Widgets } from 'blessed';
import type { Rect } from '../layout.js';
import type { DashboardSource } from '../source.js';
import type { RunState } from '../state/run-state.js';
import type { TaskRows } from '../state/task-rows.js';
import { displayWidth, fit } from '../text.js';
import { escapeTags, type Theme } from '../theme.js';
import type { LogTail } from '../log-tail.js';

/** The panes Tab moves between; arrows act on the focused one. */
export type PaneName = 'tasks' | 'agents' | 'log' | 'events';
export const PANES: readonly PaneName[] = ['tasks', 'agents', 'log', 'events'];

/** What every panel reads when a frame is drawn; panels only read it (the dashboard owns the selection and the focus). */
export interface Frame {
  now: number;
  theme: Theme;
  source: DashboardSource;
  run: RunState;
  rows: TaskRows;
  focus: PaneName;
  /** The selected task (the task table's row, or the selected agent's task). */
  selected: string | null;
  /** The tail of each running agent's log, for its last line. */
  agentTails: ReadonlyMap<string, LogTail>;
  /** The selected task's log. */
  selectedTail: LogTail | null;
  /** The log views wrap long lines (`w`); otherwise they cut them. */
  wrapLogs: boolean;
  /** `D`: the selected task's branch diff, shown in the log pane instead of its log. */
  diff?: DiffView | null;
}

/** A branch's diff as the log pane shows it (`D` on a task awaiting review). */
export interface DiffView {
  id: string;
  lines: readonly string[];
}

/** A movement in the focused pane. */
export type Move = { by: number } | { page: 1 | -1 } | { to: 'first' | 'last' };

/** Where a movement takes an index in a list of `length` items shown `page` at a time. */
export function applyMove(index: number, move: Move, length: number, page: number): number {
  if (length === 0) return 0;
  const next = 'to' in move ? (move.to === 'first' ? 0 : length - 1) : index + ('page' in move ? move.page * Math.max(1, page) : move.by);
  return Math.max(0, Math.min(length - 1, next));
}

export interface Panel {
  readonly element: Widgets.BoxElement;
  place(rect: Rect): void;
  draw(frame: Frame): void;
}

/** A borderless box of tagged text that a panel fills line by line. */
export function textBox(screen: Widgets.Screen): Widgets.BoxElement {
  return blessed.box({ parent: screen, tags: true, wrap: false, scrollable: false, style: {} });
}

export function placeBox(box: Widgets.BoxElement, rect: Rect): void {
  box.top = rect.top;
  box.left = rect.left;
  box.width = rect.width;
  box.height = rect.height;
}

const titles = new Map<string, string>();

/** `─ Tasks · 12 shown ─────────`; the focused pane's is bold and starts with ▸ (so it shows without colour). */
export function titleBar(label: string, width: number, theme: Theme, focused: boolean): string {
  const key = `${width} ${focused} ${theme.colour} ${label}`;
  let bar = titles.get(key);
  if (bar === undefined) {
    const text = fit(`${focused ? '▸' : '─'} ${label} `, width);
    const rest = '─'.repeat(Math.max(0, width - displayWidth(text)));
    const head = escapeTags(text);
    bar = focused ? theme.bold(theme.paint('accent', head)) + rest : head + rest;
    // Titles change with counts and selections: keep the recent ones only.
    if (titles.size > 200) titles.clear();
    titles.set(key, bar);
  }
  return bar;
}

const shown = new WeakMap<Widgets.BoxElement, string>();
/** Per screen, the boxes whose content changed since its last frame: a frame may draw only these. */
const changedOn = new WeakMap<Widgets.Screen, Set<Widgets.BlessedElement>>();

/** Sets the box's content when it changed (blessed parses content again on every set). */
export function setLines(box: Widgets.BoxElement, lines: readonly string[]): void {
  const content = lines.join('\n');
  if (shown.get(box) === content) return;
  shown.set(box, content);
  box.setContent(content);
  markChanged(box);
}

/** A panel changed what its box shows by other means than setLines (a child widget's items). */
export function markChanged(box: Widgets.BlessedElement): void {
  let changed = changedOn.get(box.screen);
  if (!changed) changedOn.set(box.screen, (changed = new Set()));
  changed.add(box);
}

/** The boxes changed since the last call, for this screen. */
export function takeChanged(screen: Widgets.Screen): Set<Widgets.BlessedElement> {
  const changed = changedOn.get(screen) ?? new Set();
  changedOn.delete(screen);
  return changed;
}

/** A panel that is one text box: made on the screen, placed where the layout says, drawn by the subclass. */
export abstract class TextPanel implements Panel {
  readonly element: Widgets.BoxElement;
  protected rect: Rect = { top: 0, left: 0, width: 0, height: 0 };

  constructor(screen: Widgets.Screen) {
    this.element = textBox(screen);
  }

  place(rect: Rect): void {
    this.rect = rect;
    placeBox(this.element, rect);
  }

  abstract draw(frame: Frame): void;
}
