#!/usr/bin/env node
// Times building the scheduler's graphlib graph of the remaining work for one tracker file,
// against building chorus's own index of the whole tracker (which the scheduler graph is built
// from), in one process after one load. Usage: scheduler-graph.mjs ROOT TRACKER ROUNDS
// Prints JSON: { indexS: [...], schedulerS: [...], tasks, nodes, edges }.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, tracker, roundsText = '3'] = process.argv.slice(2);
const load = (file) => import(pathToFileURL(path.join(root, 'dist', 'lib', file)).href);
const { BeadsStore } = await load('beads/index.js');
const { TaskGraph } = await load('graph/index.js');
const { SchedulerGraph } = await load('schedule/scheduler-graph.js');
const { DEFAULT_SKIP_TYPES } = await load('task/task.js');

const store = await BeadsStore.open(tracker);
const tasks = [...store.tasks().values()];
const indexS = [];
const schedulerS = [];
let nodes = 0;
let edges = 0;
for (let round = 0; round < Number(roundsText); round += 1) {
  let t = performance.now();
  const index = new TaskGraph(tasks, { skipTypes: DEFAULT_SKIP_TYPES });
  indexS.push((performance.now() - t) / 1000);
  t = performance.now();
  const scheduler = new SchedulerGraph(index, DEFAULT_SKIP_TYPES);
  schedulerS.push((performance.now() - t) / 1000);
  nodes = scheduler.size;
  edges = 0;
  for (const task of tasks) if (scheduler.has(task.id)) edges += scheduler.blockers(task.id).length;
}
process.stdout.write(`${JSON.stringify({ indexS, schedulerS, tasks: tasks.length, nodes, edges })}\n`);
