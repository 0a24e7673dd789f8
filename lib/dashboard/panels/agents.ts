import type { Widgets } from 'blessed';
import type { Rect } from '../layout.js';
import type { AgentInfo } from '../state/run-state.js';
import { cell, shortDuration } from '../text.js';
import type { Tone } from '../theme.js';
import { fitColumns, headerLine, type Column, type ColumnSpec } from './columns.js';
import { applyMove, placeBox, setLines, textBox, titleBar, type Frame, type Move, type Panel } from './panel.js';

/** Output newer than this is "talking": the silent column stays empty. */
const TALKING_MS = 5_000;
/** Silent this long, the column turns to a warning: the one sign of a stuck agent before stallTimeout ends it. */
const LONG_SILENCE_MS = 60_000;

/** One line of the table: a slot (busy or free), or the free slots folded into one line when room is short. */
type Entry = { slot: number; agent: AgentInfo | undefined; id: string | null } | { free: number[]; id: null };

/**
 * The agents table: one line per slot up to maxAgents (a free slot says so), with the task, the
 * attempt, how long it has run, how long it has been silent, its pid, what its task has spent so
 * far and the last line it printed. When the slots do not all fit, the busy ones come first and
 * the free ones fold into one line; a busy slot that still does not fit is counted on a last
 * line ("+N more"), never hidden without a word.
 */
export class AgentsPanel implements Panel {
  readonly element: Widgets.BoxElement;
  #rect: Rect = { top: 0, left: 0, width: 0, height: 0 };
  #index = 0;
  #top = 0;

  constructor(screen: Widgets.Screen) {
    this.element = textBox(screen);
  }

  place(rect: Rect): void {
    this.#rect = rect;
    placeBox(this.element, rect);
  }

  /** Moves over the lines; the task of the agent on the line moved to, if any. */
  move(frame: Frame, move: Move): string | null {
    const entries = entriesOf(frame, this.#body);
    this.#index = applyMove(this.#index, move, entries.length, this.#body);
    return entries[this.#index]?.id ?? null;
  }

  get #body(): number {
    return Math.max(0, this.#rect.height - 2);
  }

  /** A click on screen row `y`: selects that line; the task of its agent, if any (undefined: no line there). */
  pick(frame: Frame, y: number): string | null | undefined {
    const entries = entriesOf(frame, this.#body);
    const window = entries.length > this.#body ? Math.max(1, this.#body - 1) : this.#body;
    const line = y - this.#rect.top - 2;
    const at = this.#top + line;
    if (line < 0 || line >= window || at >= entries.length) return undefined;
    this.#index = at;
    return entries[at]!.id;
  }

  draw(frame: Frame): void {
    const { theme, run } = frame;
    const width = this.#rect.width;
    const body = this.#body;
    const entries = entriesOf(frame, body);
    const focused = frame.focus === 'agents';
    this.#index = Math.min(this.#index, Math.max(0, entries.length - 1));
    // A line is kept for "+N more" when the entries overflow: the window shows body - 1 of them.
    const window = entries.length > body ? Math.max(1, body - 1) : body;
    if (this.#index < this.#top) this.#top = this.#index;
    if (this.#index >= this.#top + window) this.#top = this.#index - window + 1;
    this.#top = Math.max(0, Math.min(this.#top, Math.max(0, entries.length - window)));
    const max = run.maxAgents;
    const busy = run.agents.size;
    const label = [frame.source.mode.kind === 'watching' ? `Agents · ${max === null ? `${busy} running` : `${busy} of ${max} busy`} (watched)` : `Agents · ${busy} of ${max ?? '?'} busy`];
    const spend = spendLabel(run.spentUsd, run.agentSpend);
    if (spend) label.push(spend);
    const columns = columnsFor(width, frame.rows.idWidth, [...run.agents.values()].some((a) => a.where !== undefined));
    const lines = [titleBar(label.join(' · '), width, theme, focused), theme.bold(headerLine(columns))];
    const end = Math.min(entries.length, this.#top + window);
    for (let i = this.#top; i < end; i += 1) {
      const entry = entries[i]!;
      const selected = focused && i === this.#index;
      const text = 'free' in entry ? this.#freeLine(entry.free, columns, frame, selected) : this.#line(entry.slot, entry.agent, columns, frame, selected);
      lines.push(selected ? theme.inverse(text) : text);
    }
    const below = entries.slice(end).filter((e) => !('free' in e) && e.agent).length;
    const hidden = entries.length - end + this.#top;
    if (hidden > 0) {
      const above = this.#top > 0 ? `${this.#top} above, ` : '';
      const more = below > 0 ? `+${below} more busy below` : `+${entries.length - end} more below`;
      lines.push(theme.paint('warning', cell(`  ${above}${more} (Tab to this pane, ↓ scrolls)`, width)));
    }
    setLines(this.element, lines);
  }

  #line(slot: number, agent: AgentInfo | undefined, columns: Column[], frame: Frame, selected: boolean): string {
    const { theme, run, now } = frame;
    const mark = selected ? '›' : ' ';
    if (!agent) return `${mark}${cell(String(slot), columns[0]!.width - 1)} ${theme.paint('muted', cell('free', columns[1]!.width))}`;
    // In a worktree, once the agent is done: its branch and whether it is verifying or waiting to merge.
    const phase = agent.phase ? `${agent.phase.replace(/-/g, ' ')} ${agent.branch ?? ''}`.trim() : undefined;
    const tail = frame.agentTails.get(agent.id);
    const last = phase ?? tail?.lastLine() ?? '';
    const since = Math.max(agent.startedAt, tail?.modifiedAt ?? agent.startedAt);
    // An agent on a worker has no pid here; its output reaches this log as it comes.
    const silentMs = phase || (agent.pid === null && agent.where === undefined) ? 0 : now - since;
    const spent = run.taskSpend.get(agent.id);
    const values: Record<string, { text: string; tone?: Tone }> = {
      task: { text: agent.id, tone: 'running' },
      attempt: { text: String(agent.attempt) },
      elapsed: { text: shortDuration(now - agent.startedAt) },
      silent: silentMs >= TALKING_MS ? { text: shortDuration(silentMs), ...(silentMs >= LONG_SILENCE_MS ? { tone: 'warning' as const } : {}) } : { text: '' },
      pid: { text: agent.pid !== null ? String(agent.pid) : agent.where !== undefined ? agent.where.replace(/ \(pid (\d+)\)$/, ':$1') : '—' },
      spent: { text: spent === undefined ? '' : `$${spent.toFixed(2)}` },
      output: { text: last },
    };
    const cells = columns.slice(1).map((c) => {
      const value = values[c.name]!;
      const shown = cell(value.text, c.width, c.align === 'right' ? 'right' : 'left');
      return value.tone && !selected ? theme.paint(value.tone, shown) : shown;
    });
    return [`${mark}${cell(String(slot), columns[0]!.width - 1)}`, ...cells].join(' ');
  }

  #freeLine(free: number[], columns: Column[], frame: Frame, selected: boolean): string {
    const text = `free: ${free.length === 1 ? `slot ${free[0]}` : `${free.length} slots (${ranges(free)})`}`;
    return `${selected ? '›' : ' '}${frame.theme.paint('muted', cell(text, Math.max(0, this.#rect.width - 1)))}`;
  }
}

/** slot, task (as wide as the ids need), then what goes first when room is short: try, pid (or worker), spent, elapsed, silent. */
function columnsFor(width: number, idWidth: number, remote: boolean): Column[] {
  const fixed: ColumnSpec[] = [
    { name: 'slot', header: 'slot', width: 4 },
    { name: 'task', header: 'task', width: Math.max(6, Math.min(24, idWidth)), least: Math.min(9, Math.max(6, idWidth)) },
    { name: 'attempt', header: 'try', width: 3, align: 'right', keep: 1 },
    { name: 'elapsed', header: 'elapsed', width: 7, align: 'right', keep: 5 },
    { name: 'silent', header: 'silent', width: 6, align: 'right', keep: 6 },
    // executor "bullmq": the worker (name:pid there) instead of a pid of this machine.
    remote ? { name: 'pid', header: 'worker', width: 14, keep: 2 } : { name: 'pid', header: 'pid', width: 7, align: 'right', keep: 2 },
    { name: 'spent', header: 'spent', width: 6, align: 'right', keep: 3 },
  ];
  return fitColumns(fixed, { name: 'output', header: 'last output', least: 12 }, width);
}

/**
 * Slots 1..maxAgents (or up to the highest taken, after a lowering), each with its agent if busy.
 * When they do not all fit in `rows` lines: the busy slots, then the free ones folded into one line.
 */
function entriesOf(frame: Frame, rows: number): Entry[] {
  const { run } = frame;
  const bySlot = new Map([...run.agents.values()].map((a) => [a.slot, a]));
  const highest = Math.max(0, ...bySlot.keys());
  const count = Math.max(run.maxAgents ?? 0, highest);
  const slots: Entry[] = [];
  for (let slot = 1; slot <= count; slot += 1) {
    const agent = bySlot.get(slot);
    slots.push({ slot, agent, id: agent?.id ?? null });
  }
  if (slots.length <= rows) return slots;
  const busy = slots.filter((e) => !('free' in e) && e.agent);
  const free = slots.flatMap((e) => ('free' in e || e.agent ? [] : [e.slot]));
  return free.length > 0 ? [...busy, { free, id: null }] : busy;
}

/** 1-3, 5, 7-8 */
function ranges(slots: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < slots.length; ) {
    let j = i;
    while (j + 1 < slots.length && slots[j + 1] === slots[j]! + 1) j += 1;
    parts.push(j > i ? `${slots[i]}-${slots[j]}` : String(slots[i]));
    i = j + 1;
  }
  return parts.join(', ');
}

/** `spent $1.23`, per agent when more than one spent: `spent $1.23 (claude $1.20, codex $0.03)`. */
function spendLabel(total: number | null, perAgent: ReadonlyMap<string, number>): string | null {
  if (total === null) return null;
  const agents = [...perAgent].sort((a, b) => b[1] - a[1]);
  if (agents.length === 1) return `spent $${total.toFixed(2)} on ${agents[0]![0]}`;
  if (agents.length > 1) return `spent $${total.toFixed(2)} (${agents.map(([a, usd]) => `${a} $${usd.toFixed(2)}`).join(', ')})`;
  return `spent $${total.toFixed(2)}`;
}
