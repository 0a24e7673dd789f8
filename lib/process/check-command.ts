import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';

/** Why an agent command cannot be started, found before anything is claimed or spawned. */
export type CommandProblem =
  | { kind: 'not-found'; command: string; searched: 'path' | 'file' }
  | { kind: 'not-executable'; command: string; file: string }
  | { kind: 'directory'; command: string; file: string }
  | { kind: 'interpreter-missing'; command: string; file: string; interpreter: string };

export interface CommandLookup {
  /** Where a relative path (`./agent.sh`) is found: the agent's working directory. */
  cwd: string;
  /** The agent's PATH. */
  pathEnv: string | undefined;
}

/**
 * Finds `command` as execvp would (a name through PATH, anything with a slash as a path from
 * `cwd`) and, for a script, its `#!` interpreter. Returns null when it can be started. Only
 * stats and reads the first bytes of the file: it starts nothing.
 */
export function checkCommand(command: string, lookup: CommandLookup): CommandProblem | null {
  if (command.includes('/')) {
    const file = path.resolve(lookup.cwd, command);
    return checkFile(command, file, lookup.pathEnv);
  }
  for (const dir of (lookup.pathEnv ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, command);
    if (!isFile(file)) continue;
    if (!isExecutable(file)) continue;
    return checkInterpreter(command, file, lookup.pathEnv);
  }
  return { kind: 'not-found', command, searched: 'path' };
}

/** The file `command` names, found as execvp would find it (through PATH, or as a path from `cwd`), or null. */
export function locateCommand(command: string, lookup: CommandLookup): string | null {
  if (command.includes('/')) {
    const file = path.resolve(lookup.cwd, command);
    return isFile(file) ? file : null;
  }
  for (const dir of (lookup.pathEnv ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, command);
    if (isFile(file) && isExecutable(file)) return file;
  }
  return null;
}

function checkFile(command: string, file: string, pathEnv: string | undefined): CommandProblem | null {
  let stat;
  try {
    stat = statSync(file);
  } catch {
    return { kind: 'not-found', command, searched: 'file' };
  }
  if (stat.isDirectory()) return { kind: 'directory', command, file };
  if (!isExecutable(file)) return { kind: 'not-executable', command, file };
  return checkInterpreter(command, file, pathEnv);
}

/** A script whose `#!` names a missing interpreter fails with ENOENT exactly like a missing command: tell them apart. */
function checkInterpreter(command: string, file: string, pathEnv: string | undefined): CommandProblem | null {
  const line = firstLine(file);
  if (!line?.startsWith('#!')) return null;
  const [interpreter, ...rest] = line.slice(2).trim().split(/\s+/);
  if (!interpreter) return null;
  if (path.basename(interpreter) === 'env') {
    // `#!/usr/bin/env node` (or `env -S node --flag`): the program is looked up on the agent's PATH.
    const program = rest.find((word) => !word.startsWith('-'));
    if (!program) return null;
    const found = checkCommand(program, { cwd: path.dirname(file), pathEnv });
    return found === null ? null : { kind: 'interpreter-missing', command, file, interpreter: program };
  }
  return isFile(interpreter) && isExecutable(interpreter) ? null : { kind: 'interpreter-missing', command, file, interpreter };
}

function firstLine(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buffer = Buffer.alloc(256);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, n).toString('utf8').split('\n')[0];
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** One line a person can act on; `origin` says where the command was set (`orchestration.agentCommand in .chorus.json`, ...). */
export function describeCommandProblem(problem: CommandProblem, origin: string): string {
  switch (problem.kind) {
    case 'not-found':
      return problem.searched === 'path'
        ? `command not found: ${problem.command} (not on PATH; install it, or change ${origin})`
        : `command not found: ${problem.command} (no such file; change ${origin})`;
    case 'not-executable':
      return `command not executable: ${problem.command} (${problem.file}: run \`chmod +x\` on it, or change ${origin})`;
    case 'directory':
      return `command is a directory: ${problem.command} (${problem.file}; change ${origin})`;
    case 'interpreter-missing':
      return `the interpreter of ${problem.command} is missing: its first line asks for ${problem.interpreter}, which is not installed or not on PATH (${problem.file})`;
  }
}
