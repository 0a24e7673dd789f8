import { MAX_AGENTS } from '../agents/report.js';
import type { Message } from './panels/footer.js';
import type { DashboardSource, DispatchControls } from './source.js';
import type { RunState } from './state/run-state.js';
import type { TaskRows } from './state/task-rows.js';
import type { Action } from './keys.js';
import { oneLine } from '../text/one-line.js';
import { untilText } from './panels/status-parts.js';
import { fit, shortDuration } from './text.js';


export interface DispatchContext {
  source: DashboardSource;
  run: RunState;
  rows: TaskRows;
  selected: string | null;
  now: number;
}

/**
 * What a dispatch key does to the run (through the engine's controls and nothing else), and
 * what the message line says about it. Watching another chorus's run, each says it is not
 * available.
 */
export function performDispatch(action: Action, ctx: DispatchContext): Message {
  const controls = ctx.source.controls;
  if (!controls) {
    const mode = ctx.source.mode;
    const who = mode.kind === 'watching' && mode.pid !== null ? `pid ${mode.pid}` : 'another chorus';
    return { text: `not available: read-only, watching the run of ${who} (only it starts and ends agents)`, tone: 'warning' };
  }
  switch (action) {
    case 'start':
      return withSelection(ctx, (id) => start(controls, id, ctx.now));
    case 'auto-assign': {
      const on = !controls.dispatch.autoAssign;
      controls.setAutoAssign(on);
      return { text: on ? 'auto-assign on: ready tasks start by dispatch order as slots free up' : 'auto-assign off: only Enter starts a task', tone: null };
    }
    case 'pause': {
      const paused = !controls.dispatch.paused;
      controls.setPaused(paused);
      const running = ctx.run.agents.size;
      return paused
        ? { text: `dispatch paused: nothing new starts; ${running} running agent${running === 1 ? '' : 's'} go${running === 1 ? 'es' : ''} on (p resumes)`, tone: 'warning' }
        : { text: 'dispatch resumed', tone: null };
    }
    case 'retry':
      return withSelection(ctx, (id) => {
        const result = controls.retry(id);
        return result.ok ? { text: `${id}: blocked -> open, starting it`, tone: null } : { text: result.reason, tone: 'warning' };
      });
    case 'kill':
      return withSelection(ctx, (id) => {
        if (!ctx.run.agents.has(id) || !controls.kill(id)) return { text: `${id} has no agent running`, tone: 'warning' };
        return { text: `${id}: ending its agent; the task goes back to open and is held (⏎ on it starts it again)`, tone: null };
      });
    case 'more-agents':
    case 'fewer-agents': {
      const before = controls.dispatch.maxAgents;
      const after = Math.max(1, Math.min(MAX_AGENTS, before + (action === 'more-agents' ? 1 : -1)));
      if (after === before) return { text: `maxAgents stays ${before} (between 1 and ${MAX_AGENTS})`, tone: 'warning' };
      controls.setMaxAgents(after);
      const running = ctx.run.agents.size;
      return { text: `maxAgents ${after}${running > after ? ` (${running - after} running agent${running - after === 1 ? '' : 's'} finish first)` : ''}`, tone: null };
    }
    default:
      return { text: '', tone: null };
  }
}

function withSelection(ctx: DispatchContext, act: (id: string) => Message): Message {
  return ctx.selected === null ? { text: 'no task selected', tone: 'warning' } : act(ctx.selected);
}

/**
 * What `x` asks before it ends an agent, naming the task (and its slot, attempt and time), or
 * null with why not when the task has no agent running.
 */
export function killQuestion(ctx: DispatchContext, id: string): { ask: true; text: string } | { ask: false; text: string } {
  const agent = ctx.run.agents.get(id);
  if (!agent) return { ask: false, text: `${id} has no agent running` };
  const title = fit(oneLine(agent.title), 24);
  // The question and its answer first: the message line is cut from the right on a narrow terminal.
  return {
    ask: true,
    text: `end the agent of ${id} "${title}"? y = yes, any other key = no (slot ${agent.slot}, attempt ${agent.attempt}, running ${shortDuration(ctx.now - agent.startedAt)}; the task goes back to open, held)`,
  };
}

function start(controls: DispatchControls, id: string, now: number): Message {
  const result = controls.startNow(id);
  if (!result.ok) return { text: result.reason, tone: 'warning' };
  const limit = result.waitsForLimit;
  if (limit) {
    // First in line when the gate opens; the answer fits 80 columns with a short id.
    const what = limit.cause === 'network' ? `the network to ${limit.agent}'s API` : `${limit.agent}'s usage limit`;
    return { text: `${id} waits for ${what}: starts first at ${untilText(limit.resumesAt, now)}`, tone: 'warning' };
  }
  const d = controls.dispatch;
  return result.waitsForSlot
    ? { text: `${id} starts next, when one of the ${d.maxAgents} slots frees (+ adds one)`, tone: null }
    : { text: `${id}: starting`, tone: null };
}
