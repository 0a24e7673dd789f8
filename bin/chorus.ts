#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { runCli } from '../lib/cli/program.js';
import { processIO } from '../lib/cli/io.js';
import { guardUnsettled } from '../lib/cli/settle-guard.js';

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
