import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChorusError, UsageError } from '../../lib/errors.js';
import { computeBackoffDelay } from '../../lib/time/backoff.js';
import { expandArgs } from '../../lib/pool/expand-args.js';
import { formatAttemptHeader, readLogTail } from '../../lib/pool/log-file.js';
import { assertSafeTaskId } from '../../lib/task/task-id.js';
import { makeTempDir } from './helpers.js';

describe('expandArgs', () => {
  const vars = { TASK_ID: 'bd-7', TASK_TITLE: 'Fix $(rm -rf ~)', TASK_FILE: '/r/.chorus/tasks/bd-7.json', PROMPT: 'Do ${TASK_ID} now' };

  it('replaces placeholders inside each element, values taken literally', () => {
    expect(expandArgs(['-p', '${PROMPT}', '--id=${TASK_ID}', '${TASK_TITLE} (${TASK_FILE})'], vars)).toEqual([
      '-p',
      'Do ${TASK_ID} now',
      '--id=bd-7',
      'Fix $(rm -rf ~) (/r/.chorus/tasks/bd-7.json)',
    ]);
  });

  it('accepts any other name given in vars', () => {
    expect(expandArgs(['${REPO_DIR}/x'], { REPO_DIR: '/repo' })).toEqual(['/repo/x']);
  });

  it('$${X} escapes a placeholder', () => {
    expect(expandArgs(['$${TASK_ID}', 'a$${NOPE}b', '$$'], vars)).toEqual(['${TASK_ID}', 'a${NOPE}b', '$$']);
  });

  it('leaves text that is not a placeholder alone', () => {
    expect(expandArgs(['$HOME', '${', '${}', '{TASK_ID}', ''], vars)).toEqual(['$HOME', '${', '${}', '{TASK_ID}', '']);
  });

  it('an unknown placeholder is a UsageError naming it', () => {
    let caught: unknown;
    try {
      expandArgs(['-p', 'hello ${TASK_NAME}'], vars);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect(caught).toMatchObject({ code: 'CHORUS_CONFIG_UNKNOWN_PLACEHOLDER' });
    expect((caught as Error).message).toContain('${TASK_NAME}');
  });

  it('does not treat inherited object keys as variables', () => {
    expect(() => expandArgs(['${constructor}'], {})).toThrow(/\$\{constructor\}/);
  });
});

describe('assertSafeTaskId', () => {
  it.each(['bd-1', 'bd-a1b2.3', 'proj_x-9', 'a.b'])('accepts %j', (id) => {
    expect(() => assertSafeTaskId(id)).not.toThrow();
  });

  it.each(['', '../x', 'a/b', 'a..b', '.hidden', '..', 'a\0b', 'x'.repeat(201)])('refuses %j', (id) => {
    expect(() => assertSafeTaskId(id)).toThrow(ChorusError);
    try {
      assertSafeTaskId(id);
    } catch (error) {
      expect((error as ChorusError).code).toBe('CHORUS_BAD_TASK_ID');
    }
  });
});

describe('computeBackoffDelay', () => {
  const options = { minMs: 1_000, maxMs: 30_000 };
  it('starts at minMs and doubles, jitter up to twice, capped', () => {
    expect(computeBackoffDelay(0, options, () => 0)).toBe(1_000);
    expect(computeBackoffDelay(1, options, () => 0)).toBe(2_000);
    expect(computeBackoffDelay(2, options, () => 0.5)).toBe(6_000);
    expect(computeBackoffDelay(10, options, () => 0)).toBe(30_000);
  });
});

describe('log file', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = makeTempDir()));
  afterEach(() => cleanup());

  it('formats a header with the command, quoting and shortening long arguments', () => {
    const line = formatAttemptHeader({
      attempt: 2,
      maxAttempts: 3,
      at: new Date('2026-11-25T15:40:00.000Z'),
      command: 'claude',
      args: ['-p', `Fix the login bug\n${'x'.repeat(100)}`],
    });
    expect(line).toMatch(/^=== chorus attempt 2\/3 · 2026-11-25T15:40:00.000Z · claude -p "Fix the login bug\\nx+…" ===$/);
  });

  it('the tail holds the last lines of the last attempt only, ANSI kept', async () => {
    const log = join(dir, 'a.log');
    writeFileSync(log, '=== chorus attempt 1/2 · t · a ===\nold output\n=== chorus attempt 2/2 · t · a ===\n\x1b[31mred\x1b[0m\r\nlast');
    expect(await readLogTail(log)).toEqual(['\x1b[31mred\x1b[0m', 'last']);
  });

  it('reads only the end of a big log', async () => {
    const log = join(dir, 'big.log');
    const lines = Array.from({ length: 100_000 }, (_, i) => `line ${i} ${'é'.repeat(7)}`);
    writeFileSync(log, `=== chorus attempt 1/1 · t · a ===\n${lines.join('\n')}\n`);
    expect(await readLogTail(log)).toEqual(lines.slice(-20));
    // With a window smaller than the last lines, the line it cuts is read whole from just before it.
    expect(await readLogTail(log, { maxBytes: 100 })).toEqual(lines.slice(-4)); // 26-byte lines
  });

  it('a missing log has an empty tail', async () => {
    expect(await readLogTail(join(dir, 'none.log'))).toEqual([]);
  });
});
