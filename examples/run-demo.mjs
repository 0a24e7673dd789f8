#!/usr/bin/env node
// `npm run demo`: copies the bundled example project to a scratch folder and runs
// `chorus batch --all-ready` on it with a simulated agent, so nothing tracked changes and it
// can run any number of times. `npm run demo:dashboard` (--dashboard) opens `chorus dashboard`
// on such a copy instead, its agents three times as slow so there is time to watch.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'bin', 'chorus.js');
if (!existsSync(cli)) {
  console.error('chorus is not built yet: run `npm install` (or `npm run build`) first.');
  process.exit(2);
}
const dashboard = process.argv.includes('--dashboard');
if (dashboard && !(process.stdin.isTTY && process.stdout.isTTY)) {
  console.error('npm run demo:dashboard opens a full-screen dashboard: run it in a terminal.');
  process.exit(2);
}
const work = mkdtempSync(path.join(os.tmpdir(), 'chorus-demo-'));
cpSync(path.join(root, 'examples', 'demo-project'), work, { recursive: true });

if (dashboard) {
  const run = spawnSync(process.execPath, [cli, '-C', work, 'dashboard'], {
    stdio: 'inherit',
    env: { ...process.env, DEMO_AGENT_PACE: process.env.DEMO_AGENT_PACE ?? '3' },
  });
  console.log(`\nThe demo project is in ${work}; try: node ${path.relative(process.cwd(), cli) || cli} -C ${work} status`);
  process.exit(run.status ?? 1);
}

const chorus = (...args) => spawnSync(process.execPath, [cli, '-C', work, ...args], { stdio: 'inherit' });
console.log(`Demo project copied to ${work}\n`);
console.log('$ chorus ready');
chorus('ready');
console.log('\n$ chorus batch --all-ready');
const batch = chorus('batch', '--all-ready');
console.log('\n$ chorus status');
chorus('status');
console.log(`\nAgent logs: ${path.join(work, '.beads', 'agent-output')}/`);
console.log(`Try: node ${path.relative(process.cwd(), cli) || cli} -C ${work} logs shop-6`);
process.exit(batch.status ?? 1);
