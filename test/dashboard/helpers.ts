import { EventEmitter } from 'node:events';
import type { AgentKind } from '../../lib/agents/report.js';
import { PassThrough, Writable } from 'node:stream';
import { BeadsStore } from '../../lib/beads/index.js';
import { DEFAULT_SKIP_TYPES } from '../../lib/task/task.js';
import type { Task } from '../../lib/task/task.js';
import { createDashboard, type Dashboard, type ExitReason } from '../../lib/dashboard/dashboard.js';
import type { DashboardSource, DispatchControls, DispatchState, SourceEvent } from '../../lib/dashboard/source.js';
import { TaskGraph } from '../../lib/graph/index.js';
import { SchedulerGraph } from '../../lib/schedule/scheduler-graph.js';

/** A terminal made of streams: keys go in through `type`, the screen comes out (and is read with dashboard.text()). */
export interface FakeTerminal {
  input: PassThrough;
  output: Writable & { columns: number; rows: number; isTTY: true };
  written: () => string;
  resize(cols: number, rows: number): void;
}

export function fakeTerminal(cols = 100, rows = 30): FakeTerminal {
  let written = '';
  const output = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        written += String(chunk);
        // Only the last screenfuls matter: keep the buffer bounded in long tests.
        if (written.length > 1_000_000) written = written.slice(-500_000);
        done();
      },
    }),
    { columns: cols, rows, isTTY: true as const },
  );
  return {
    input: new PassThrough(),
    output,
    written: () => written,
    resize(c, r) {
      output.columns = c;
      output.rows = r;
      output.emit('resize');
    },
  };
}

/** Controls that record what was asked of them, answering as the engine would. */
export class FakeControls implements DispatchControls {
  dispatch: DispatchState = { maxAgents: 3, autoAssign: true, paused: false, running: 0, queued: 0 };
  readonly calls: string[] = [];
  startNowAnswer: ReturnType<DispatchControls['startNow']> = { ok: true, waitsForSlot: false };
  startNow(id: string) {
    this.calls.push(`startNow ${id}`);
    return this.startNowAnswer;
  }
  setAutoAssign(on: boolean) {
    this.calls.push(`autoAssign ${on}`);
    this.dispatch = { ...this.dispatch, autoAssign: on };
  }
  setPaused(paused: boolean) {
    this.calls.push(`paused ${paused}`);
    this.dispatch = { ...this.dispatch, paused };
  }
  retry(id: string) {
    this.calls.push(`retry ${id}`);
    return { ok: true as const };
  }
  kill(id: string) {
    this.calls.push(`kill ${id}`);
    return true;
  }
  setMaxAgents(value: number) {
    this.calls.push(`maxAgents ${value}`);
    this.dispatch = { ...this.dispatch, maxAgents: value };
  }
  approve(id: string) {
    this.calls.push(`approve ${id}`);
    return { ok: true as const, branch: `chorus/${id}`, baseBranch: 'main', done: Promise.resolve({ status: 'closed' as const, reason: 'merged' }) };
  }
  reject(id: string, reason: string) {
    this.calls.push(`reject ${id} ${reason}`);
    return { ok: true as const, started: { ok: true as const, waitsForSlot: false } };
  }
}

export interface FakeSource extends DashboardSource {
  emit(event: SourceEvent): void;
  setTasks(tasks: Task[]): void;
}

/** A source over a fixed list of tasks: the real scheduler view, events pushed by the test. */
export function fakeSource(tasks: Task[], options: { controls?: DispatchControls | null; repoDir?: string; watchingPid?: number; agent?: AgentKind } = {}): FakeSource {
  const emitter = new EventEmitter();
  let map = new Map(tasks.map((t) => [t.id, t]));
  let view = new SchedulerGraph(new TaskGraph(tasks, { skipTypes: DEFAULT_SKIP_TYPES }), DEFAULT_SKIP_TYPES);
  const repoDir = options.repoDir ?? '/tmp/chorus-dashboard-test';
  return {
    repoDir,
    mode: options.watchingPid !== undefined ? { kind: 'watching', pid: options.watchingPid, ended: false } : { kind: 'live' },
    controls: options.controls === undefined ? new FakeControls() : options.controls,
    skipTypes: DEFAULT_SKIP_TYPES,
    tasks: () => map,
    view: () => view,
    on(listener) {
      emitter.on('event', listener);
      return () => emitter.off('event', listener);
    },
    logPath: (id) => `${repoDir}/.beads/agent-output/${id}.log`,
    agentKind: () => options.agent ?? 'custom',
    emit: (event) => emitter.emit('event', event),
    setTasks(next) {
      map = new Map(next.map((t) => [t.id, t]));
      view = new SchedulerGraph(new TaskGraph(next, { skipTypes: DEFAULT_SKIP_TYPES }), DEFAULT_SKIP_TYPES);
    },
  };
}

/** A dashboard on a fake terminal; `exits` collects what it asked for. */
export function openDashboard(source: DashboardSource, terminal = fakeTerminal(), extra: { colour?: boolean; frameIntervalMs?: number } = {}) {
  const exits: ExitReason[] = [];
  const dashboard: Dashboard = createDashboard({
    input: terminal.input,
    output: terminal.output,
    source,
    terminal: 'xterm-256color',
    colour: extra.colour ?? true,
    frameIntervalMs: extra.frameIntervalMs ?? 0,
    onExit: (reason) => exits.push(reason),
  });
  return { dashboard, terminal, exits };
}

/** Types keys as a terminal sends them: `\r` for Enter, escape sequences for arrows. */
export function type(terminal: FakeTerminal, keys: string): void {
  terminal.input.write(keys);
}

export const KEY = { up: '\x1b[A', down: '\x1b[B', enter: '\r', tab: '\t', escape: '\x1b', ctrlC: '\x03' };

/** Waits until the screen matches (frames are drawn on a timer, keys arrive through a stream). */
export async function screenWhere(dashboard: Dashboard, predicate: (text: string) => boolean, timeoutMs = 3_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  let text = dashboard.text();
  while (Date.now() < until) {
    text = dashboard.text();
    if (predicate(text)) return text;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`screen never matched; last screen:\n${text}`);
}

export { BeadsStore };
