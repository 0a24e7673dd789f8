#!/usr/bin/env node
// Times frames of `chorus dashboard` drawn in-process by its factory on fake streams (no
// terminal), over a real tracker file: its store, index and scheduler view, as the engine holds
// them. Usage: dashboard-frame.mjs ROOT TRACKER FRAMES COLS ROWS
// Prints JSON: { tasks, shownRows, first: {wallMs, cpuMs}, frames: [{wallMs, cpuMs}], screenBytes, check }.
// Each measured frame follows one event, as a live run's frames do: a ready task starts, or the
// one that started before finishes; the rows it touches, the agents, the events and every other
// panel are drawn, and blessed writes the changed cells to the (fake) terminal. 20 frames are
// drawn first and not counted: the code is still cold then.
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';

const [root, tracker, framesText = '50', colsText = '200', rowsText = '60'] = process.argv.slice(2);
const load = (file) => import(pathToFileURL(path.join(root, 'dist', 'lib', file)).href);
const { BeadsStore } = await load('beads/index.js');
const { TaskGraph } = await load('graph/index.js');
const { SchedulerGraph } = await load('schedule/scheduler-graph.js');
const { DEFAULT_SKIP_TYPES } = await load('task/task.js');
const { createDashboard } = await load('dashboard/dashboard.js');

const store = await BeadsStore.open(tracker);
const view = new SchedulerGraph(new TaskGraph(store.tasks().values(), { skipTypes: DEFAULT_SKIP_TYPES }), DEFAULT_SKIP_TYPES);
const listeners = new Set();
const dispatch = { maxAgents: 8, autoAssign: true, paused: false, running: 0, queued: 0 };
const controls = { dispatch, startNow: () => ({ ok: true, waitsForSlot: false }), setAutoAssign() {}, setPaused() {}, retry: () => ({ ok: true }), kill: () => true, setMaxAgents() {} };
const source = {
  repoDir: path.dirname(path.dirname(tracker)),
  mode: { kind: 'live' },
  controls,
  skipTypes: DEFAULT_SKIP_TYPES,
  tasks: () => store.tasks(),
  view: () => view,
  on: (listener) => (listeners.add(listener), () => listeners.delete(listener)),
  logPath: (id) => path.join(path.dirname(tracker), 'agent-output', `${id}.log`),
  agentKind: () => 'claude',
};
const emit = (event) => listeners.forEach((listener) => listener(event));

let screenBytes = 0;
const output = Object.assign(new Writable({ write: (chunk, _enc, done) => ((screenBytes += chunk.length), done()) }), { columns: Number(colsText), rows: Number(rowsText), isTTY: true });
const time = (fn) => {
  const cpu = process.cpuUsage();
  const start = performance.now();
  fn();
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
};

let dashboard;
const first = time(() => {
  dashboard = createDashboard({ input: new PassThrough(), output, source, terminal: 'xterm-256color', colour: true, frameIntervalMs: 1_000_000, onExit() {} });
  emit({ type: 'batch.started', at: Date.now(), maxAgents: 8, ready: 0, total: store.tasks().size, cycles: [], planned: store.tasks().size });
  dashboard.drawNow();
});
const check = dashboard.text();
const ready = view.readyTasks(Date.now()).map((t) => t.id);
const frames = [];
let running = null;
// The first frames after the start run cold code (the JIT has not compiled it yet): drawn, not counted.
const warmUp = 20;
for (let i = 0; i < warmUp + Number(framesText); i += 1) {
  const frame =
    time(() => {
      const at = Date.now();
      if (running === null) {
        running = ready[i % ready.length];
        emit({ type: 'task.started', at, id: running, title: store.tasks().get(running).title, priority: 2, running: 1, logPath: `${running}.log` });
      } else {
        emit({ type: 'task.finished', at, id: running, title: '', outcome: 'failed', status: 'blocked', attempts: 1, durationMs: 1_000, reason: 'exited with code 1' });
        running = null;
      }
      dashboard.drawNow();
    });
  if (i >= warmUp) frames.push(frame);
}
const shownRows = (/Tasks · (\d+)/.exec(check) ?? [])[1];
dashboard.close();
process.stdout.write(`${JSON.stringify({ tasks: store.tasks().size, shownRows: Number(shownRows ?? 0), first, frames, screenBytes, check: check.split('\n').slice(0, 6).join('\n') })}\n`);
