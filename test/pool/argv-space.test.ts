import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { argSpaceFor, argSpaceLimit, findArgvProblem, MAX_ARG_STRLEN } from '../../lib/pool/argv-space.js';

/** Starts a real program that does nothing: what the kernel says is the truth the check must match. */
function starts(args: string[], env: Record<string, string>): boolean {
  const run = spawnSync(process.execPath, ['-e', '0', ...args], { env, stdio: 'ignore' });
  if (run.error) {
    expect((run.error as NodeJS.ErrnoException).code).toBe('E2BIG');
    return false;
  }
  expect(run.status).toBe(0);
  return true;
}

const env = { LC_ALL: 'C' };

describe('what execve takes, checked against the real kernel', () => {
  it('one argument: MAX_ARG_STRLEN - 1 bytes start, one byte more does not (counted in UTF-8 bytes)', () => {
    const fits = 'a'.repeat(MAX_ARG_STRLEN - 1);
    expect(findArgvProblem(process.execPath, ['-e', '0', fits], env)).toBeNull();
    expect(starts([fits], env)).toBe(true);
    const over = `${'a'.repeat(MAX_ARG_STRLEN - 2)}é`;
    expect(findArgvProblem(process.execPath, ['-e', '0', over], env)).toEqual({ kind: 'argument', index: 2, bytes: MAX_ARG_STRLEN, limit: MAX_ARG_STRLEN - 1 });
    expect(starts([over], env)).toBe(false);
  });

  it('one environment variable is held to the same limit', () => {
    const big = { ...env, HUGE: 'b'.repeat(MAX_ARG_STRLEN) };
    expect(findArgvProblem(process.execPath, ['-e', '0'], big)).toMatchObject({ kind: 'environment', name: 'HUGE' });
    expect(starts([], big)).toBe(false);
  });

  it('all of them together: the most arguments the check lets through start; two more do not, and the check says so', () => {
    const piece = 'c'.repeat(64 * 1024);
    const args = ['-e', '0'];
    while (findArgvProblem(process.execPath, [...args, piece], env) === null) args.push(piece);
    expect(args.length).toBeGreaterThan(10);
    expect(starts(args.slice(2), env)).toBe(true);
    const over = [...args, piece, piece];
    expect(findArgvProblem(process.execPath, over, env)).toMatchObject({ kind: 'total', limit: argSpaceLimit() });
    expect(starts(over.slice(2), env)).toBe(false);
  });

  it('ARG_MAX is a quarter of the stack limit, at least 128 KiB, at most 6 MiB', () => {
    expect(argSpaceFor(8 * 1024 * 1024)).toBe(2 * 1024 * 1024);
    expect(argSpaceFor(64 * 1024)).toBe(128 * 1024);
    expect(argSpaceFor(Infinity)).toBe(6 * 1024 * 1024);
  });
});
