#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runCli } from '../lib/cli/program.js';
import { processIO } from '../lib/cli/io.js';
import { guardUnsettled } from '../lib/cli/settle-guard.js';

// V8's memory reducer runs full collections in every JavaScript engine of an idle process to give
// memory back; with eight agents sleeping it was three quarters of chorus's CPU (0.13-0.17 s of
// 0.15-0.2 s per 15 s here) for heaps of a few MB. Off before the worker thread's engine starts.
setFlagsFromString('--no-memory-reducer');

// The only place chorus ends the process: commands return exit codes.
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const work = runCli(process.argv.slice(2), processIO(), pkg.version);
guardUnsettled(work, () => {
  process.stderr.write('chorus: internal error: the command stopped before its work was done (nothing left to wait for); please report this\n');
  process.exitCode = 70;
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`chorus: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 70;
  },
);
