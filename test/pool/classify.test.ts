import { describe, expect, it } from 'vitest';
import type { AgentReport } from '../../lib/agents/report.js';
import { classifyEnding, describeEnding, describeStall, outcomeOfKind, retryKindOf } from '../../lib/pool/classify.js';
import type { ChildEnding } from '../../lib/pool/spawn-agent.js';

const exited = (exitCode: number | null, extra: Partial<ChildEnding> = {}): ChildEnding => ({
  pid: 1,
  exitCode,
  signal: null,
  killedBy: null,
  endedStrays: false,
  groupLeft: false,
  ...extra,
});
const limit: AgentReport = { limit: { resetsAt: Date.UTC(2026, 10, 25, 16), text: "You've hit your session limit", source: 'rate_limit_event' } };

describe('classifying an attempt with what its output reported', () => {
  it('exit 0 with a reported failure is failed (retried as exit); without one, success', () => {
    expect(classifyEnding(exited(0), { failure: 'max turns reached' })).toBe('failed');
    expect(classifyEnding(exited(0), {})).toBe('success');
    expect(classifyEnding(exited(0))).toBe('success');
    expect(retryKindOf('failed')).toBe('exit');
    expect(outcomeOfKind('failed')).toBe('failed');
  });

  it('a usage limit wins over the exit code and a timeout, not over a cancel; it is never retried', () => {
    expect(classifyEnding(exited(1), limit)).toBe('usage-limit');
    expect(classifyEnding(exited(0), limit)).toBe('usage-limit');
    expect(classifyEnding(exited(null, { signal: 'SIGTERM', killedBy: 'timeout' }), limit)).toBe('usage-limit');
    expect(classifyEnding(exited(null, { signal: 'SIGTERM', killedBy: 'user' }), limit)).toBe('killed');
    expect(retryKindOf('usage-limit')).toBeNull();
    expect(outcomeOfKind('usage-limit')).toBe('usage-limit');
  });

  it('the reasons say what the agent said', () => {
    expect(describeEnding('exit', exited(1), 0, { failure: 'turn limit reached (exit 53)' })).toBe('turn limit reached (exit 53) (exited with code 1)');
    expect(describeEnding('failed', exited(0), 0, { failure: 'the agent reported an error: x' })).toBe('the agent reported an error: x (exited with code 0)');
    expect(describeEnding('usage-limit', exited(1), 0, limit)).toBe("usage limit (rate_limit_event): You've hit your session limit; resets at 2026-11-25T16:00:00.000Z");
    expect(describeEnding('usage-limit', exited(1), 0, { limit: { ...limit.limit!, resetsAt: null } })).toMatch(/; reset time unknown$/);
    expect(describeStall(30_000)).toBe('stalled: no output for 30 s');
    expect(describeStall(1_250)).toBe('stalled: no output for 1.3 s');
  });
});
