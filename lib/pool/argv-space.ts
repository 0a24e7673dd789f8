import { readFileSync } from 'node:fs';

/**
 * How much a new program may be handed, as Linux's execve counts it (fs/exec.c). Past either limit
 * execve fails with E2BIG and the program never starts:
 * - one argument or environment string: at most MAX_ARG_STRLEN bytes with its NUL (32 pages of 4 KiB);
 * - all of them together, with a pointer each, and the program's path: ARG_MAX, a quarter of the
 *   stack limit (`ulimit -s`, 8 MiB unless changed, so 2 MiB), at most 6 MiB, at least 128 KiB.
 */
export const MAX_ARG_STRLEN = 32 * 4096;
const ARG_MAX_FLOOR = 32 * 4096;
const ARG_MAX_CAP = ((8 * 1024 * 1024) / 4) * 3;
const DEFAULT_STACK_LIMIT = 8 * 1024 * 1024;
const POINTER_BYTES = 8;
/**
 * Kept free for what the kernel adds that is not known here: the program's path as found on PATH,
 * and for a `#!` script the interpreter's path, its argument and the script's path (each at most
 * PATH_MAX, 4 KiB).
 */
const RESERVE_BYTES = 3 * 4096;

export type ArgvProblem =
  /** `index` counts from 0 in the arguments after the command. */
  | { kind: 'argument'; index: number; bytes: number; limit: number }
  | { kind: 'environment'; name: string; bytes: number; limit: number }
  | { kind: 'total'; bytes: number; limit: number };

let cachedLimit: number | undefined;

/** ARG_MAX as execve applies it here: children inherit this process's stack limit. Read once. */
export function argSpaceLimit(): number {
  cachedLimit ??= argSpaceFor(readStackLimit());
  return cachedLimit;
}

/** ARG_MAX for a given soft stack limit, in bytes (Infinity for `unlimited`). */
export function argSpaceFor(stackLimit: number): number {
  return Math.max(ARG_MAX_FLOOR, Math.min(ARG_MAX_CAP, Math.floor(stackLimit / 4)));
}

function readStackLimit(): number {
  try {
    const soft = /^Max stack size\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
    if (soft === 'unlimited') return Infinity;
    if (soft !== undefined && Number.isFinite(Number(soft))) return Number(soft);
  } catch {
    // No /proc: Linux's default stack limit is the best guess.
  }
  return DEFAULT_STACK_LIMIT;
}

/**
 * Why execve would refuse to start `command` with these arguments and this (complete) environment,
 * or null when they fit. The first argument too long is named before the total.
 */
export function findArgvProblem(command: string, args: readonly string[], env: Readonly<Record<string, string | undefined>>, limit = argSpaceLimit()): ArgvProblem | null {
  let total = RESERVE_BYTES + Buffer.byteLength(command) + 1 + POINTER_BYTES;
  for (const [index, arg] of args.entries()) {
    const bytes = Buffer.byteLength(arg) + 1;
    if (bytes > MAX_ARG_STRLEN) return { kind: 'argument', index, bytes: bytes - 1, limit: MAX_ARG_STRLEN - 1 };
    total += bytes + POINTER_BYTES;
  }
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const bytes = Buffer.byteLength(name) + 1 + Buffer.byteLength(value) + 1;
    if (bytes > MAX_ARG_STRLEN) return { kind: 'environment', name, bytes: bytes - 1, limit: MAX_ARG_STRLEN - 1 };
    total += bytes + POINTER_BYTES;
  }
  return total > limit ? { kind: 'total', bytes: total, limit } : null;
}
