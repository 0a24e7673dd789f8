import { bar, displayWidth, sparkline } from '../text.js';
import { setLines, TextPanel, type Frame } from './panel.js';

/**
 * Two lines under the header: agents busy of maxAgents and tasks closed of the batch's planned
 * total as bars with their numbers; then the counts (ready, running, waiting, blocked) and a
 * sparkline each of agents busy and tasks closed over the last minutes (5 s a character).
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
    const total = run.planned !== null ? Math.max(run.planned, closed + busy) : counts.total;
    const barWidth = Math.max(6, Math.min(30, Math.floor((width - 52) / 2)));
    const agents = `agents ${theme.paint('running', bar(busy, max, barWidth))} ${busy}/${max} busy`;
    const tasks = `closed ${theme.paint('closed', bar(closed, total, barWidth))} ${closed}/${total} of the batch`;
    const first = `${agents}   ${tasks}`;

    const countsText = [
      theme.paint('ready', `ready ${counts.ready}`),
      theme.paint('running', `running ${counts.running}`),
      `waiting ${counts.waiting}`,
      theme.paint('blocked', `blocked ${counts.blocked}`),
    ].join(' · ');
    const countsWidth = displayWidth(`ready ${counts.ready} · running ${counts.running} · waiting ${counts.waiting} · blocked ${counts.blocked}`);
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
