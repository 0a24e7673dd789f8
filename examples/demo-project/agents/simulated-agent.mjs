#!/usr/bin/env node
// A stand-in for a coding agent, so the demo needs no API key: it reads its task, "works"
// for a moment while printing progress, and exits 0. The webhook task crashes on its first
// attempt (killed by a signal, as a real agent might be), to show chorus retrying it.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const [id = process.env.CHORUS_TASK_ID, title = ''] = process.argv.slice(2);
// DEMO_AGENT_PACE=3: three times as slow (the dashboard demo, so there is time to watch and press keys).
const pace = Number(process.env.DEMO_AGENT_PACE ?? '1') || 1;
const attempt = Number(process.env.CHORUS_ATTEMPT ?? '1');
const task = JSON.parse(readFileSync(process.env.CHORUS_TASK_FILE, 'utf8'));

console.log(`[agent] ${id}: ${title} (attempt ${attempt})`);
console.log(`[agent] reading the task: ${task.description ?? '(no description)'}`);
const steps = ['planning', 'editing files', 'running tests', 'committing'];
for (const [i, step] of steps.entries()) {
  await sleep((250 + ((id.length * 97 + i * 31) % 300)) * pace);
  console.log(`[agent] ${step}...`);
  if (id === 'shop-6' && attempt === 1 && i === 1) {
    console.error('[agent] out of memory!');
    process.kill(process.pid, 'SIGKILL');
  }
}
console.log(`[agent] ${id} done`);
