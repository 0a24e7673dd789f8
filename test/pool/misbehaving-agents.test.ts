import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { superviseAgent } from '../../lib/pool/supervise.js';
import { agent, isGone, makeJob, makeTempDir, pidFromLog } from './helpers.js';

// Agents that break the usual shape of a run, supervised for real (the CLI side: test/cli/misbehaving-agents.test.ts).
let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = makeTempDir()));
afterEach(() => cleanup());

describe('an agent that closes its stdout and stderr and keeps running', () => {
  it('is judged by its exit, not by the end of its output: exit 0 after 1.5 s is success', async () => {
    const job = makeJob(dir, { command: agent('close-output-and-linger.js'), env: { FIXTURE_LINGER_MS: '1500' } });
    const result = await superviseAgent(job);

    expect(result).toMatchObject({ outcome: 'success', exitCode: 0, attempts: 1 });
    expect(result.durationMs).toBeGreaterThanOrEqual(1400);
    expect(isGone(pidFromLog(job, 'close-output: pid'))).toBe(true);
  });

  it('and never exits: the timeout still ends it', async () => {
    const job = makeJob(dir, { command: agent('close-output-and-linger.js'), env: { FIXTURE_LINGER_MS: 'forever' }, timeoutMs: 1000, retryOn: [] });
    const result = await superviseAgent(job);

    expect(result).toMatchObject({ outcome: 'timeout', timedOut: true, killedBy: 'timeout', attempts: 1 });
    expect(isGone(pidFromLog(job, 'close-output: pid'))).toBe(true);
  });
});
