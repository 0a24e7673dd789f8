#!/usr/bin/env node
// The output row's floor: the least a process shaped like chorus's holds. A Node process starts
// one worker thread (chorus's agents are supervised from one), which spawns the agent with its
// stdout and stderr on the file and waits for it; nothing else. GNU time's peak RSS of this
// against `sh -c 'agent > file'` is what the shape alone costs, before any of chorus's code.
// Usage: node thread-spawn.mjs FILE COMMAND [ARGS...]
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

if (isMainThread) {
  const [file, command, ...args] = process.argv.slice(2);
  if (!file || !command) {
    process.stderr.write('usage: thread-spawn.mjs FILE COMMAND [ARGS...]\n');
    process.exit(2);
  }
  const worker = new Worker(new URL(import.meta.url), { workerData: { file, command, args } });
  worker.on('message', (code) => (process.exitCode = code));
  worker.on('error', (error) => {
    process.stderr.write(`thread-spawn: ${error.message}\n`);
    process.exitCode = 1;
  });
} else {
  const { file, command, args } = workerData;
  const out = openSync(file, 'w');
  const child = spawn(command, args, { stdio: ['ignore', out, out] });
  child.on('error', (error) => {
    process.stderr.write(`thread-spawn: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code) => {
    parentPort.postMessage(code ?? 1);
  });
}
