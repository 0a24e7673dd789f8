import { describe, expect, it } from 'vitest';
import { codexResetAt, parseCompactDuration, parseWordDuration } from '../../lib/agents/reset-time.js';
import { createStreamReader } from '../../lib/agents/stream-reader.js';
import { fixtureLines, readFixture, readLines } from './helpers.js';

/** A local wall-clock time on 25 Nov 2026, in epoch ms (codex prints local times with no zone). */
function local(hours: number, minutes: number, day = 25, month = 10, year = 2026): number {
  return new Date(year, month, day, hours, minutes).getTime();
}

describe('codex stream reader', () => {
  it('no network (real codex 0.171): "Reconnecting... waiting for network" is the agent unable to work, and asks for the run to end now', () => {
    const lines = fixtureLines('codex-0.171-no-network.jsonl');
    const reader = createStreamReader('codex');
    // Its own retries (1/5 to 5/5) are not yet a verdict.
    for (const line of lines.slice(0, 7)) reader.feed(line);
    expect(reader.endNow?.()).toBe(false);
    reader.feed(lines[7]!);
    expect(reader.endNow?.()).toBe(true);
    const report = reader.end({ exitCode: null, signal: 'SIGTERM' });
    expect(report.unusable).toEqual({ cause: 'network', text: 'Reconnecting... waiting for network (Connection failed: error sending request)', fix: expect.stringContaining('network') });
    expect(report.sessionId).toBe('01a2498e-d324-7760-8555-3d17ea9e1e59');
    expect(readFixture('codex', 'codex-exec-usage-limit.jsonl', 1).unusable).toBeUndefined();
  });

  it('a successful run: thread id, tokens summed over turns, no cost', () => {
    const report = readFixture('codex', 'codex-exec-success.jsonl', 0);
    expect(report).toEqual({
      sessionId: '0199a213-81c0-7800-8aa1-bbab2a035a53',
      usage: { inputTokens: 24763, cachedTokens: 24448, outputTokens: 122, turns: 1 },
    });
    const twice = readLines('codex', [...fixtureLines('codex-exec-success.jsonl'), '{"type":"turn.completed","usage":{"input_tokens":10,"cached_input_tokens":0,"output_tokens":5}}']);
    expect(twice.usage).toEqual({ inputTokens: 24773, cachedTokens: 24448, outputTokens: 127, turns: 2 });
    expect(twice.usage?.costUsd).toBeUndefined();
  });

  it('a usage limit: the reset is the next 4:20 PM local time after now', () => {
    const morning = readFixture('codex', 'codex-exec-usage-limit.jsonl', 1, { now: () => local(9, 0) });
    expect(morning.sessionId).toBe('0199b7e4-2c11-7a40-9e55-3f1d2c0b9a87');
    expect(morning.limit).toEqual({
      resetsAt: local(16, 20),
      text: expect.stringMatching(/^You've hit your usage limit\. .*try again at 4:20 PM\.$/),
      source: 'codex error',
    });
    expect(morning.failure).toMatch(/^You've hit your usage limit/);
    // Past 4:20 PM, the next one is tomorrow's.
    const evening = readFixture('codex', 'codex-exec-usage-limit.jsonl', 1, { now: () => local(18, 5) });
    expect(evening.limit?.resetsAt).toBe(local(16, 20, 26));
  });

  it('a reset that cannot be read is null, and the text says so', () => {
    const line = JSON.stringify({ type: 'error', message: "You've hit your usage limit. Try again later." });
    expect(readLines('codex', [line], 1).limit).toEqual({
      resetsAt: null,
      text: "You've hit your usage limit. Try again later. (chorus could not read a reset time from this)",
      source: 'codex error',
    });
  });

  it('turn.failed and error are failures; other errors are no limit', () => {
    const failed = JSON.stringify({ type: 'turn.failed', error: { message: 'stream disconnected before completion' } });
    expect(readLines('codex', [failed], 1)).toEqual({ failure: 'stream disconnected before completion' });
    const unknown = JSON.stringify({ type: 'item.completed', item: { type: 'error', message: 'Reconnecting... 1/5' } });
    expect(readLines('codex', [unknown], 0)).toEqual({});
    expect(readLines('codex', ['{"type":"something.new"}'], 0)).toEqual({ skippedLines: 1 });
  });
});

describe('reset times given as text', () => {
  const now = local(9, 0);
  it('codex: today, another day, in a duration, none', () => {
    expect(codexResetAt('... or try again at 4:20 PM.', now)).toBe(local(16, 20));
    expect(codexResetAt('Try again at 12:05 AM.', now)).toBe(local(0, 5, 26));
    expect(codexResetAt('Try again at Nov 27th, 2026 4:20 PM.', now)).toBe(local(16, 20, 27));
    expect(codexResetAt('Try again at Dec 1st, 2026 9:00 AM.', now)).toBe(local(9, 0, 1, 11));
    expect(codexResetAt('try again in 2 hours 3 minutes.', now)).toBe(now + (2 * 60 + 3) * 60_000);
    expect(codexResetAt('try again in 1 day.', now)).toBe(now + 86_400_000);
    expect(codexResetAt('Try again later.', now)).toBeNull();
    expect(codexResetAt('Try again at 13:70 PM.', now)).toBeNull();
  });

  it('durations', () => {
    expect(parseCompactDuration('2h52m39s')).toBe(((2 * 60 + 52) * 60 + 39) * 1000);
    expect(parseCompactDuration('39s')).toBe(39_000);
    expect(parseCompactDuration('539.477544ms')).toBe(539);
    expect(parseCompactDuration('2 hours')).toBeUndefined();
    expect(parseWordDuration('5 mins')).toBe(300_000);
    expect(parseWordDuration('soon')).toBeUndefined();
  });
});
