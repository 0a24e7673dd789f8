import { timeCommand, type TimedRun, type TimeOptions } from './measure/gnu-time.js';
import type { RepoPaths } from './paths.js';

/** `chorus -C repoDir args...` under GNU time, on the same node that runs the harness. */
export function timeChorus(paths: RepoPaths, repoDir: string, args: readonly string[], options: TimeOptions): Promise<TimedRun> {
  // Run from inside the repository too, so nothing of the checkout the harness runs from can leak in.
  return timeCommand(process.execPath, [paths.chorusBin, '-C', repoDir, ...args], { cwd: repoDir, ...options });
}

/** A baseline shell pipeline under GNU time (which then counts every process of the pipeline). */
export function timeShell(script: string, options: TimeOptions): Promise<TimedRun> {
  return timeCommand('/bin/sh', ['-c', script], options);
}

/** Quotes one word for `sh -c`. */
export function shellQuote(word: string): string {
  return /^[\w./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
