import type { Widgets } from 'blessed';
import type { Rect } from '../layout.js';
import type { AgentInfo } from '../state/run-state.js';
import { cell, shortDuration } from '../text.js';
import { applyMove, placeBox, setLines, textBox, titleBar, type Frame, type Move, type Panel } from './panel.js';

/**
 * The agents table: one line per slot up to maxAgents (a free slot says so), with the task, the
 * attempt, how long it has run, its pid and the last line it printed.
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

  /** Moves over the slots; the task of the agent in the slot moved to, if any. */
  move(frame: Frame, move: Move): string | null {
    const slots = slotsOf(frame);
    this.#index = applyMove(this.#index, move, slots.length, this.#rect.height - 2);
    return slots[this.#index]?.id ?? null;
  }

  /** A click on screen row `y`: selects that slot; the task of its agent, if any (undefined: no slot there). */
  pick(frame: Frame, y: number): string | null | undefined {
    const at = this.#top + y - this.#rect.top - 2;
    const slots = slotsOf(frame);
    if (y < this.#rect.top + 2 || at >= slots.length) return undefined;
    this.#index = at;
    return slots[at]!.id;
  }

  draw(frame: Frame): void {
    const { theme, run, now } = frame;
    const width = this.#rect.width;
    const body = Math.max(0, this.#rect.height - 2);
    const slots = slotsOf(frame);
    const focused = frame.focus === 'agents';
    this.#index = Math.min(this.#index, Math.max(0, slots.length - 1));
    if (this.#index < this.#top) this.#top = this.#index;
    if (this.#index >= this.#top + body) this.#top = this.#index - body + 1;
    const max = run.maxAgents;
    const busy = run.agents.size;
    const label = frame.source.mode.kind === 'watching' ? `Agents · ${max === null ? `${busy} running` : `${busy} of ${max} busy`} (watched)` : `Agents · ${busy} of ${max ?? '?'} busy`;
    const widths = { slot: 5, task: width >= 70 ? 12 : 9, attempt: 3, elapsed: 7, pid: 7 };
    const fixed = widths.slot + widths.task + widths.attempt + widths.elapsed + widths.pid + 5;
    const outputWidth = Math.max(0, width - fixed - 1);
    const header = theme.bold(
      [` ${cell('slot', widths.slot - 1)}`, cell('task', widths.task), cell('try', widths.attempt, 'right'), cell('elapsed', widths.elapsed, 'right'), cell('pid', widths.pid, 'right'), cell('last output', outputWidth)].join(' '),
    );
    const lines = [titleBar(label, width, theme, focused), header];
    for (let i = this.#top; i < Math.min(slots.length, this.#top + body); i += 1) {
      const { slot, agent } = slots[i]!;
      const selected = focused && i === this.#index;
      let text: string;
      if (agent) {
        // In a worktree, once the agent is done: its branch and whether it is verifying or waiting to merge.
        const phase = agent.phase ? `${agent.phase.replace(/-/g, ' ')} ${agent.branch ?? ''}`.trim() : undefined;
        const last = phase ?? frame.agentTails.get(agent.id)?.lastLine() ?? '';
        text = [
          `${selected ? '›' : ' '}${cell(String(slot), widths.slot - 1)}`,
          theme.paint('running', cell(agent.id, widths.task)),
          cell(String(agent.attempt), widths.attempt, 'right'),
          cell(shortDuration(now - agent.startedAt), widths.elapsed, 'right'),
          cell(agent.pid === null ? '—' : String(agent.pid), widths.pid, 'right'),
          cell(last, outputWidth),
        ].join(' ');
      } else {
        text = [`${selected ? '›' : ' '}${cell(String(slot), widths.slot - 1)}`, theme.paint('muted', cell('free', widths.task))].join(' ');
      }
      lines.push(selected ? theme.inverse(text) : text);
    }
    setLines(this.element, lines);
  }
}

/** Slots 1..maxAgents (or up to the highest taken, after a lowering), each with its agent if busy; when watching, the running tasks. */
function slotsOf(frame: Frame): { slot: number; agent: AgentInfo | undefined; id: string | null }[] {
  const { run } = frame;
  const bySlot = new Map([...run.agents.values()].map((a) => [a.slot, a]));
  const highest = Math.max(0, ...bySlot.keys());
  const count = Math.max(run.maxAgents ?? 0, highest);
  const slots = [];
  for (let slot = 1; slot <= count; slot += 1) {
    const agent = bySlot.get(slot);
    slots.push({ slot, agent, id: agent?.id ?? null });
  }
  return slots;
}
