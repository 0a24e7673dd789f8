import path from 'node:path';
import { formatWallClock } from '../../text/wall-clock.js';
import { displayWidth, fit } from '../text.js';
import { escapeTags } from '../theme.js';
import { setLines, TextPanel, type Frame } from './panel.js';

/**
 * The top line: which repository, and how dispatch stands: auto-assign on or off, running or
 * paused, how many agents at most; or, watching another chorus, whose run it is. Words, not
 * colours, carry each state.
 */
export class HeaderPanel extends TextPanel {

  draw(frame: Frame): void {
    const { theme, source, run } = frame;
    const width = this.rect.width;
    const repo = path.basename(source.repoDir) || source.repoDir;
    const parts: { text: string; tone?: 'warning' | 'running' | 'closed' | 'accent' }[] = [{ text: `chorus dashboard · ${repo}` }];
    const mode = source.mode;
    if (mode.kind === 'watching') {
      const who = mode.pid === null ? 'another chorus' : `pid ${mode.pid}`;
      parts.push({ text: mode.ended ? `READ-ONLY · the run of ${who} has ended` : `READ-ONLY · watching ${who}`, tone: 'warning' });
    } else if (run.dispatch) {
      const d = run.dispatch;
      parts.push({ text: d.autoAssign ? 'auto-assign ON' : 'auto-assign OFF (Enter starts, a turns on)', tone: d.autoAssign ? 'closed' : 'running' });
      parts.push({ text: d.paused ? 'dispatch PAUSED (p resumes)' : 'dispatch running', tone: d.paused ? 'warning' : 'closed' });
      parts.push({ text: `max ${d.maxAgents} agent${d.maxAgents === 1 ? '' : 's'}` });
    }
    for (const [agent, resumesAt] of run.quotaWaits) parts.push({ text: `${agent}: waiting for the usage limit, resumes at ${formatWallClock(resumesAt)}`, tone: 'warning' });
    if (run.spentUsd !== null) parts.push({ text: `spent $${run.spentUsd.toFixed(2)}` });
    if (run.stopping) parts.push({ text: run.stopping, tone: 'warning' });
    // No clock here: a clock would redraw the screen every second while nothing happens.
    let used = 0;
    const shown: string[] = [];
    for (const part of parts) {
      const text = fit(part.text, Math.max(0, width - used - (shown.length > 0 ? 3 : 0)));
      if (text === '') break;
      used += displayWidth(text) + (shown.length > 0 ? 3 : 0);
      shown.push(part.tone ? theme.paint(part.tone, escapeTags(text)) : escapeTags(text));
    }
    setLines(this.element, [theme.bold(shown.join(' · '))]);
  }
}
