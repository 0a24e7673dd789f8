import path from 'node:path';
import type { Widgets } from 'blessed';
import { describeReason } from '../../graph/index.js';
import { formatDuration } from '../../text/format-duration.js';
import type { Rect } from '../layout.js';
import { escapeTags } from '../theme.js';
import { clockTime, fit, wrap } from '../text.js';
import { describeWait } from './status-parts.js';
import { placeBox, setLines, textBox, titleBar, type Frame, type Panel } from './panel.js';
import { depText, rowStatusWord, stateTone, statusWord } from './tasks.js';
import { lastBlockedReason } from '../../task/notes.js';
import { isAwaitingReview } from '../../task/review.js';
import { taskBranch } from '../../task/task-paths.js';

/** Past this many, blockers and dependents are counted, not named. */
const NAMED = 6;

/**
 * The selected task: its title, status, blockers and dependents with their states, whether it
 * is on the critical path, its last error and its log path. Read from the scheduler's view.
 */
export class DetailPanel implements Panel {
  readonly element: Widgets.BoxElement;
  #rect: Rect = { top: 0, left: 0, width: 0, height: 0 };
  /** The critical path, worked out again when the graph changed, at most once a second (a walk of the whole graph). */
  #critical: { view: unknown; ids: Map<string, number>; at: number; stale: boolean } | null = null;

  constructor(screen: Widgets.Screen) {
    this.element = textBox(screen);
  }

  place(rect: Rect): void {
    this.#rect = rect;
    placeBox(this.element, rect);
  }

  /** The critical path is a walk of the whole graph: drawn from a cache the dashboard drops when the graph changes. */
  invalidate(): void {
    if (this.#critical) this.#critical.stale = true;
  }

  draw(frame: Frame): void {
    const { theme, source, rows, run, selected, now } = frame;
    const width = this.#rect.width;
    const lines: string[] = [titleBar(selected ? `Task ${selected}` : 'Task', width, theme, false)];
    const task = selected ? source.tasks().get(selected) : undefined;
    const say = (text: string) => lines.push(...wrap(text, width).map(escapeTags));
    if (!selected || !task) {
      say('No task selected.');
      setLines(this.element, lines);
      return;
    }
    const row = rows.get(selected);
    const view = source.view();
    // Two lines of title at most: what follows (why it is blocked or waits) matters more on a small screen.
    const title = wrap(task.title, width);
    lines.push(...title.slice(0, 2).map((l, i) => escapeTags(i === 1 && title.length > 2 ? fit(l + '…', width) : l)));
    const tone = row ? stateTone(row.state) : 'muted';
    const facts = [`P${task.priority}`, task.issueType ?? 'task'];
    const agent = run.agents.get(selected);
    if (agent) facts.push(`slot ${agent.slot}`, `attempt ${agent.attempt}`);
    // Wrapped like the rest; the status word, first on the first line, in its state's colour.
    const word = agent ? 'running' : row ? rowStatusWord(row) : statusWord(task.status);
    wrap(`${word} · ${facts.join(' · ')}`, width).forEach((l, i) => lines.push(i === 0 ? theme.paint(tone, escapeTags(word)) + escapeTags(l.slice(word.length)) : escapeTags(l)));
    // What keeps it from running, first: a usage-limit wait, a kill, the last error.
    const warn = (text: string) => lines.push(...wrap(text, width).map((l) => theme.paint('warning', escapeTags(l))));
    const parkedOn = agent ? undefined : run.parked.get(selected);
    if (parkedOn !== undefined) {
      const wait = run.quotaWaits.get(parkedOn);
      warn(wait ? `⏸ parked: ${describeWait(parkedOn, wait, now)}; it starts first then${wait.cause === 'network' ? '' : ', resuming its session'}` : `⏸ parked by ${parkedOn}'s usage limit; the wait is over: it starts when a slot frees`);
    }
    const heldAt = agent ? undefined : run.held.get(selected);
    if (heldAt !== undefined) warn(`held: its agent was ended (x) at ${clockTime(heldAt)}; it does not start again in this run until ⏎ on it`);
    const ended = run.ended.get(selected);
    // A verified branch waiting for a person is no error: say which keys end the wait.
    const review = isAwaitingReview(task);
    if (review) {
      warn(source.controls ? 'awaiting review: D diff · A approve · R reject' : 'awaiting review: D diff · A, R in the chorus running it');
      say(`${taskBranch(selected)} verified, not merged`);
    }
    const lastError = review ? undefined : ended?.status === 'blocked' ? ended.reason : ended?.status === 'open' ? ended.reason : lastChorusNote(task.raw['notes']);
    if (lastError && heldAt === undefined) lines.push(...wrap(`last error: ${lastError}`, width).map((l) => theme.paint('blocked', escapeTags(l))));

    if (word === 'claimed') say(`in progress by ${typeof task.raw['assignee'] === 'string' && task.raw['assignee'] ? task.raw['assignee'] : 'someone'}: not one of this run's agents`);
    if (view.has(selected)) {
      const blockers = view.blockers(selected);
      if (blockers.length === 0) {
        const readiness = task.status === 'open' ? view.readiness(selected, now) : { ready: true as const };
        if (readiness.ready) say(`${row ? depText(row.dep).text : '✓'} no open blocker`);
        else for (const reason of readiness.reasons) say(`⏳ ${describeReason(reason)}`);
      } else {
        say(`waits on: ${named(blockers, (id) => `${mark(source.tasks().get(id)?.status)} ${id} ${statusWord(source.tasks().get(id)?.status ?? 'missing')}`)}`);
      }
      const dependents = view.dependents(selected);
      say(dependents.length === 0 ? 'unblocks: nothing' : `unblocks: ${named(dependents, (id) => `${id} (${rows.get(id)?.state ?? statusWord(source.tasks().get(id)?.status ?? '?')})`)}`);
      const critical = this.#criticalIndex(view, now);
      const at = critical.get(selected);
      // A one-task "path" is no chain: every task would be on it.
      if (critical.size > 1) say(at === undefined ? 'critical path: no' : `critical path: yes (${at + 1} of ${critical.size})`);
    }
    if (ended && ended.durationMs > 0) say(`${ended.status === 'closed' ? 'closed' : ended.status === 'blocked' ? 'blocked' : 'stopped'} after ${formatDuration(ended.durationMs)}${ended.attempts > 1 ? `, ${ended.attempts} attempts` : ''}`);
    else if (!view.has(selected)) say('done: no longer in the remaining work');
    const spent = run.taskSpend.get(selected);
    if (spent !== undefined) say(`spent: $${spent.toFixed(4)}${run.agentOf.has(selected) ? ` on ${run.agentOf.get(selected)}` : ''}, as reported`);
    say(`log: ${path.relative(source.repoDir, source.logPath(selected))}`);
    setLines(this.element, lines.slice(0, this.#rect.height));
  }

  #criticalIndex(view: { criticalPath(): string[] }, now: number): Map<string, number> {
    const cached = this.#critical;
    if (cached && cached.view === view && (!cached.stale || now - cached.at < 1_000)) return cached.ids;
    const ids = new Map(view.criticalPath().map((id, i) => [id, i]));
    this.#critical = { view, ids, at: now, stale: false };
    return ids;
  }
}

function mark(status: string | undefined): string {
  if (status === 'closed') return '✓';
  if (status === 'blocked') return '✗';
  if (status === 'in_progress') return '▶';
  return '⏳';
}

function named(ids: readonly string[], describe: (id: string) => string): string {
  const shown = ids.slice(0, NAMED).map(describe).join(', ');
  return ids.length > NAMED ? `${shown}, +${ids.length - NAMED} more` : shown;
}

/** The last reason chorus appended to a task's notes (`chorus <time>: blocked: ...`), for a task blocked before this run. */
function lastChorusNote(notes: unknown): string | undefined {
  const reason = lastBlockedReason(notes);
  return reason === null ? undefined : `blocked: ${reason}`;
}
