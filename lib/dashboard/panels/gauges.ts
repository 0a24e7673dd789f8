import { describePlanShare, WORK_STATES, type WorkState } from '../../schedule/work-counts.js';
import { bar, displayWidth, sparkline } from '../text.js';
import type { Tone } from '../theme.js';
import { setLines, TextPanel, type Frame } from './panel.js';

const TONES: Record<WorkState, Tone | null> = { ready: 'ready', running: 'running', waiting: null, blocked: 'blocked', other: 'muted' };

/**
 * Two lines under the header: agents busy of maxAgents and tasks closed of the batch's planned
 * total as bars with their numbers (and, when the table lists more than the plan, how many are
 * outside it); then the counts by state, which add up to the task table's total with what this
 * run closed (lib/schedule/work-counts.ts: the definitions `chorus status` and `batch` use), and
 * a sparkline each of agents busy and tasks closed over the last minutes (5 s a character).
 */
export class GaugesPanel extends TextPanel {

  draw(frame: Frame): void {
    const { theme, run, rows, now } = frame;
    const width = this.rect.width;
    const counts = rows.counts();
    const busy = run.agents.size;
    const max = run.maxAgents ?? Math.max(busy, 1);
    const closed = run.closed;
    // Closed of what this run set out to do: its plan at the start (grown by work the tracker gained
    // since); watching another run, whose plan is not known, the work in the table.
    const total = run.batchTotal(counts.total);
    const agentsText = `${busy}/${max} busy`;
    const closedText = `${closed}/${total} of the batch`;
    const bare = displayWidth(`agents  ${agentsText}   closed  ${closedText}`);
    // The bars give way to the note on what the plan leaves out, long, then short.
    const notes = [describePlanShare(total, counts.total), describePlanShare(total, counts.total, true)].filter((n): n is string => n !== null);
    const note = notes.find((n) => Math.floor((width - bare - displayWidth(n) - 3) / 2) >= 6) ?? null;
    const barWidth = Math.max(6, Math.min(30, Math.floor((width - bare - (note ? displayWidth(note) + 3 : 0)) / 2)));
    const agents = `agents ${theme.paint('running', bar(busy, max, barWidth))} ${agentsText}`;
    const tasks = `closed ${theme.paint('closed', bar(closed, total, barWidth))} ${closedText}${note ? ` · ${note}` : ''}`;
    const first = `${agents}   ${tasks}`;

    const shown = WORK_STATES.filter((s) => s !== 'other' || counts.other > 0);
    const countsText = shown.map((s) => (TONES[s] ? theme.paint(TONES[s], `${s} ${counts[s]}`) : `${s} ${counts[s]}`)).join(' · ');
    const countsWidth = displayWidth(shown.map((s) => `${s} ${counts[s]}`).join(' · '));
    const room = width - countsWidth - 3 - displayWidth('busy  closed ') - 1;
    const n = Math.max(0, Math.min(60, Math.floor(room / 2)));
    let second = countsText;
    if (n >= 6) {
      const series = run.history.series(now, n);
      second += `   busy ${theme.paint('running', sparkline(series.busy, max))} closed ${theme.paint('closed', sparkline(series.closed, Math.max(total, 1)))}`;
    }
    // Numbers and symbols only: nothing here needs escaping.
    setLines(this.element, [first, second]);
  }
}
