import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../lib/executor/types.js';
import { claimPatch, finishTransition } from '../../lib/schedule/transitions.js';

const now = new Date('2026-11-25T12:00:00.000Z');
const base: RunResult = { taskId: 'a', outcome: 'success', exitCode: 0, signal: null, timedOut: false, killedBy: null, attempts: 1, durationMs: 12_300, logTail: [] };
const ctx = {
  now,
  logPath: '.beads/agent-output/a.log',
  command: 'claude',
  timeoutMs: 300_000,
  previousNotes: undefined as string | undefined,
  claimedFrom: { assignee: 'alice', startedAt: null },
};

describe('how a run lands in the tracker', () => {
  it('claim: in_progress, assignee chorus, started_at', () => {
    expect(claimPatch(now)).toEqual({ status: 'in_progress', assignee: 'chorus', started_at: now.toISOString(), updated_at: now.toISOString() });
  });

  it('success closes with closed_at and a close_reason', () => {
    const t = finishTransition(base, ctx);
    expect(t.status).toBe('closed');
    expect(t.patch).toMatchObject({ status: 'closed', closed_at: now.toISOString() });
    expect(t.patch['close_reason']).toBe('Completed by chorus: claude exited 0 after 12.3s');
  });

  it('failure blocks, appending to the notes a person wrote', () => {
    const t = finishTransition(
      { ...base, outcome: 'failed', exitCode: 2, attempts: 1, logTail: ['line 1', 'Error: tests failed'] },
      { ...ctx, previousNotes: 'mine' },
    );
    expect(t.status).toBe('blocked');
    expect(t.reason).toBe('agent exited with code 2 (1 attempt)');
    const notes = t.patch['notes'] as string;
    expect(notes.startsWith('mine\n\nchorus 2026-11-25T12:00:00.000Z: blocked: agent exited with code 2')).toBe(true);
    expect(notes).toContain('Log: .beads/agent-output/a.log');
    expect(notes).toContain('    Error: tests failed');
  });

  it.each([
    [{ outcome: 'crashed', signal: 'SIGSEGV', attempts: 3 }, 'agent crashed (killed by SIGSEGV) on all 3 attempts'],
    [{ outcome: 'timeout', timedOut: true }, 'timed out after 5m 0s (taskTimeout), 1 attempt'],
    [{ outcome: 'spawn-error', error: { name: 'Error', code: 'ENOENT', message: 'x' } }, 'command not found: claude (install it, or change orchestration.agentCommand in .chorus.json; a script also fails so when its #! interpreter is missing)'],
    [{ outcome: 'spawn-error', error: { name: 'Error', code: 'EACCES', message: 'x' } }, 'command not executable: claude (check its permissions, or change orchestration.agentCommand in .chorus.json)'],
  ] as const)('%o blocks with a reason a person can act on', (change, reason) => {
    const t = finishTransition({ ...base, ...change } as RunResult, ctx);
    expect(t.status).toBe('blocked');
    expect(t.reason).toBe(reason);
  });

  it('killed goes back to open with the assignee and started_at as they were', () => {
    const t = finishTransition({ ...base, outcome: 'killed', killedBy: 'user' }, ctx);
    expect(t.status).toBe('open');
    expect(t.patch).toEqual({ status: 'open', assignee: 'alice', started_at: null, updated_at: now.toISOString() });
  });
});
