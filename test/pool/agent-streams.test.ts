import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentKind } from '../../lib/agents/report.js';
import { superviseAgent } from '../../lib/pool/supervise.js';
import type { AgentJob } from '../../lib/pool/types.js';
import { agent, isGone, makeJob, makeTempDir, pidFromLog, readLog } from './helpers.js';

// Real agents' output (test/fixtures/agent-streams/) replayed by a real process, read back from
// the log by the pool while it runs.
const STREAMS = fileURLToPath(new URL('../fixtures/agent-streams/', import.meta.url));

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = makeTempDir()));
afterEach(() => cleanup());

function replayJob(kind: AgentKind, file: string, exitCode: number, overrides: Partial<AgentJob> = {}): AgentJob {
  return makeJob(dir, {
    command: agent('replay-stream.js'),
    args: [`${STREAMS}${file}`, String(exitCode)],
    agentKind: kind,
    ...overrides,
    env: { REPLAY_DELAY_MS: '15', ...overrides.env },
  });
}

/** What the agent wrote, as the log has it: everything after the attempt's header, before chorus's notes. */
function agentOutput(job: AgentJob): string {
  return readLog(job)
    .split('\n')
    .filter((line) => !line.startsWith('=== chorus'))
    .join('\n');
}

describe('claude stream-json, read from the log while the agent runs', () => {
  it('success: the usage (cost, tokens, turns) and the session id are in the result; the log has every byte', async () => {
    const job = replayJob('claude', 'claude-success-tooluse.stream.jsonl', 0);
    const result = await superviseAgent(job);

    const usage = { costUsd: 0.0612345, inputTokens: 31403, outputTokens: 183, cachedTokens: 21862, cacheWriteTokens: 9532, turns: 2, apiMs: 9120, durationMs: 18244 };
    expect(result).toMatchObject({ outcome: 'success', exitCode: 0, attempts: 1, reason: 'exited with code 0', usage, attemptUsage: [usage] });
    expect(result.report).toEqual({ sessionId: '7c1e2a4b-9d3f-4e8a-b6c2-1f0a9e8d7c65', usage });
    expect(agentOutput(job)).toBe(readFileSync(`${STREAMS}claude-success-tooluse.stream.jsonl`, 'utf8'));
  });

  it('is_error with exit 0 is a failure with the reason the agent gave (noted in the log), not retried by default', async () => {
    const job = replayJob('claude', 'claude-is-error-exit0.stream.jsonl', 0);
    const result = await superviseAgent(job);

    expect(result).toMatchObject({ outcome: 'failed', exitCode: 0, attempts: 1 });
    expect(result.reason).toMatch(/^the agent reported an error \(API status 529\): API Error: 529 .*\(exited with code 0\)$/);
    expect(result.report?.failure).toContain('overloaded_error');
    expect(readLog(job)).toContain('=== chorus: the agent reported an error (API status 529)');
  });

  it('max turns: a named failure with its errors; retried per retryOn exit, its usage summed over the attempts', async () => {
    const job = replayJob('claude', 'claude-max-turns.stream.jsonl', 1, { retryOn: ['exit'], retryCount: 1 });
    const result = await superviseAgent(job);

    expect(result).toMatchObject({ outcome: 'failed', exitCode: 1, attempts: 2 });
    expect(result.reason).toBe('max turns reached (error_max_turns): Reached maximum number of turns (1) (exited with code 1)');
    expect(result.attemptUsage).toHaveLength(2);
    expect(result.attemptUsage![0]).toMatchObject({ costUsd: 0.0409871, turns: 2 });
    expect(result.usage).toMatchObject({ turns: 4, outputTokens: 192 });
    expect(result.usage!.costUsd).toBeCloseTo(0.0819742, 9);
  });

  it('a usage limit ends the run at once, whatever the retries: outcome usage-limit, the reset in ms, the session id', async () => {
    const job = replayJob('claude', 'claude-usage-limit.stream.jsonl', 1, {
      retryOn: ['exit', 'crash', 'timeout'],
      retryCount: 3,
      env: { REPLAY_RESETS_IN_S: '5' },
    });
    const before = Date.now();
    const result = await superviseAgent(job);
    const after = Date.now();

    expect(result).toMatchObject({ outcome: 'usage-limit', exitCode: 1, attempts: 1, timedOut: false, killedBy: null });
    const limit = result.report!.limit!;
    expect(limit).toMatchObject({ source: 'rate_limit_event', text: "You've hit your session limit · resets 4pm (UTC)" });
    // resetsAt is whole seconds (as claude gives it) 5 s after the replay started.
    expect(limit.resetsAt! % 1000).toBe(0);
    expect(limit.resetsAt!).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 5000);
    expect(limit.resetsAt!).toBeLessThanOrEqual(after + 5000);
    expect(result.report!.sessionId).toBe('3d2c1b0a-8f7e-4d6c-9b5a-4e3f2a1b0c9d');
    expect(result.reason).toBe(`usage limit (rate_limit_event): You've hit your session limit · resets 4pm (UTC); resets at ${new Date(limit.resetsAt!).toISOString()}`);
    expect(readLog(job).match(/^=== chorus attempt /gm)).toHaveLength(1);
    expect(readLog(job)).toContain('=== chorus: usage limit (rate_limit_event)');
  });

  it('a line with an event spliced into it: both are read, the run is a success', async () => {
    const result = await superviseAgent(replayJob('claude', 'claude-spliced-line.stream.jsonl', 0));

    expect(result).toMatchObject({ outcome: 'success', usage: { costUsd: 0.0612345 } });
    expect(result.report).toMatchObject({ nearLimit: true, sessionId: '7c1e2a4b-9d3f-4e8a-b6c2-1f0a9e8d7c65' });
    expect(result.report!.skippedLines).toBeUndefined();
  });

  it('unknown event types are skipped and counted, nothing else', async () => {
    const result = await superviseAgent(replayJob('claude', 'claude-unknown-events.stream.jsonl', 0));

    expect(result).toMatchObject({ outcome: 'success', usage: { costUsd: 0.0612345 } });
    expect(result.report).toMatchObject({ skippedLines: 1, nearLimit: true });
    expect(result.report!.failure).toBeUndefined();
  });
});

describe('codex and gemini', () => {
  it('codex success: tokens, no cost', async () => {
    const result = await superviseAgent(replayJob('codex', 'codex-exec-success.jsonl', 0));

    expect(result).toMatchObject({ outcome: 'success', usage: { inputTokens: 24763, cachedTokens: 24448, outputTokens: 122, turns: 1 } });
    expect(result.usage!.costUsd).toBeUndefined();
    expect(result.report!.sessionId).toBe('0199a213-81c0-7800-8aa1-bbab2a035a53');
  });

  it('codex usage limit: outcome usage-limit, its reset read from the text (the next 4:20 PM local time)', async () => {
    const before = Date.now();
    const result = await superviseAgent(replayJob('codex', 'codex-exec-usage-limit.jsonl', 1, { retryOn: ['exit'], retryCount: 2 }));

    expect(result).toMatchObject({ outcome: 'usage-limit', exitCode: 1, attempts: 1 });
    const resetsAt = result.report!.limit!.resetsAt!;
    expect(new Date(resetsAt).getHours()).toBe(16);
    expect(new Date(resetsAt).getMinutes()).toBe(20);
    expect(resetsAt).toBeGreaterThan(before);
    expect(resetsAt).toBeLessThanOrEqual(before + 86_400_000 + 3_600_000);
    expect(result.reason).toMatch(/^usage limit \(codex error\): You've hit your usage limit\. .*try again at 4:20 PM\.; resets at /);
  });

  it('gemini exit 53: the turn limit, named', async () => {
    const result = await superviseAgent(replayJob('gemini', 'gemini-turn-limit.jsonl', 53));

    expect(result).toMatchObject({ outcome: 'failed', exitCode: 53, attempts: 1, usage: { inputTokens: 5000, outputTokens: 120, durationMs: 5000 } });
    expect(result.reason).toMatch(/^turn limit reached \(exit 53\): FatalTurnLimitedError: Reached max session turns .* \(exited with code 53\)$/);
  });

  it('gemini quota on stderr: usage-limit, resetting after the duration it gave', async () => {
    const before = Date.now();
    const result = await superviseAgent(replayJob('gemini', 'gemini-quota.jsonl', 1, { retryOn: ['exit'] }));
    const after = Date.now();

    expect(result).toMatchObject({ outcome: 'usage-limit', attempts: 1 });
    const wait = ((2 * 60 + 52) * 60 + 39) * 1000;
    expect(result.report!.limit!.resetsAt!).toBeGreaterThanOrEqual(before + wait);
    expect(result.report!.limit!.resetsAt!).toBeLessThanOrEqual(after + wait);
  });

  it('a custom agent is not read: no report, no usage', async () => {
    const result = await superviseAgent(replayJob('custom', 'claude-usage-limit.stream.jsonl', 0));
    expect(result.outcome).toBe('success');
    expect(result.report).toBeUndefined();
    expect(result.usage).toBeUndefined();
    expect(result.attemptUsage).toBeUndefined();
  });
});

describe('an agent that cannot work at all', () => {
  it('claude not logged in (real 2.1.332 output): agent-unusable at once, never retried, whatever retryOn says', async () => {
    const job = replayJob('claude', 'claude-2.1.332-not-logged-in.stream.jsonl', 1, { retryOn: ['exit', 'crash', 'timeout'], retryCount: 3 });
    const result = await superviseAgent(job);

    expect(result).toMatchObject({ outcome: 'agent-unusable', exitCode: 1, attempts: 1, killedBy: null });
    expect(result.reason).toBe('the agent cannot work here (not logged in or no credentials): Not logged in · Please run /login');
    expect(result.report?.unusable?.cause).toBe('auth');
    expect(readLog(job)).toContain('=== chorus: the agent cannot work here (not logged in or no credentials): Not logged in · Please run /login ===');
  });

  it('codex with no network (real 0.171 output), which never exits: ended as soon as it says it waits for the network, not at taskTimeout', async () => {
    const job = replayJob('codex', 'codex-0.171-no-network.jsonl', 0, {
      timeoutMs: 120_000,
      retryOn: ['exit', 'crash', 'timeout'],
      retryCount: 3,
      env: { REPLAY_DELAY_MS: '20', REPLAY_REPEAT_LAST_MS: '200' },
    });
    const result = await superviseAgent(job);

    expect(result).toMatchObject({ outcome: 'agent-unusable', attempts: 1, timedOut: false });
    expect(result.durationMs).toBeLessThan(15_000);
    expect(result.report?.unusable).toMatchObject({ cause: 'network', text: 'Reconnecting... waiting for network (Connection failed: error sending request)' });
    expect(readLog(job)).toContain("=== chorus: the agent cannot work here (no network to its API): Reconnecting... waiting for network (Connection failed: error sending request); ended the agent's process group ===");
  });
});

describe('the stall watchdog', () => {
  it('an agent silent past stallTimeoutMs is ended with its group: a timeout, reason stalled', async () => {
    const job = makeJob(dir, { command: agent('go-quiet.js'), stallTimeoutMs: 800, retryOn: ['crash'] });
    const result = await superviseAgent(job);

    expect(result).toMatchObject({ outcome: 'timeout', timedOut: true, killedBy: 'timeout', attempts: 1, reason: 'stalled: no output for 0.8 s' });
    expect(isGone(pidFromLog(job, 'quiet: pid'))).toBe(true);
    expect(isGone(pidFromLog(job, 'quiet: child pid'))).toBe(true);
    expect(readLog(job)).toContain("=== chorus: stalled: no output for 0.8 s; ended the agent's process group ===");
  });

  it('is retried as a timeout is, per retryOn', async () => {
    const job = makeJob(dir, { command: agent('go-quiet.js'), stallTimeoutMs: 500, retryOn: ['timeout'], retryCount: 1, agentKind: 'claude' });
    const result = await superviseAgent(job);

    expect(result).toMatchObject({ outcome: 'timeout', attempts: 2, reason: 'stalled: no output for 0.5 s' });
    expect(readLog(job).match(/stalled: no output for 0\.5 s; ended/g)).toHaveLength(2);
  });

  it('an agent that prints steadily for longer than stallTimeoutMs is not ended', async () => {
    const job = makeJob(dir, { command: agent('steady.js'), stallTimeoutMs: 1500, env: { FIXTURE_INTERVAL_MS: '100', FIXTURE_TICKS: '30' } });
    const result = await superviseAgent(job);

    expect(result).toMatchObject({ outcome: 'success', exitCode: 0, timedOut: false, killedBy: null, attempts: 1 });
    expect(readLog(job)).toContain('steady: tick 30');
  });
});
