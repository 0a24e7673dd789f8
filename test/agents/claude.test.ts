import { describe, expect, it } from 'vitest';
import { fixtureLines, readFixture, readLines } from './helpers.js';

describe('claude stream reader', () => {
  it('a successful run: session id, cost, tokens, turns, API time; no failure, nothing skipped', () => {
    const report = readFixture('claude', 'claude-success-tooluse.stream.jsonl', 0);
    expect(report).toEqual({
      sessionId: '7c1e2a4b-9d3f-4e8a-b6c2-1f0a9e8d7c65',
      usage: { costUsd: 0.0612345, inputTokens: 31403, outputTokens: 183, cachedTokens: 21862, cacheWriteTokens: 9532, turns: 2, apiMs: 9120, durationMs: 18244 },
    });
  });

  it('a usage limit: resetsAt from the rejected rate_limit_event, in ms; the words of the synthetic message', () => {
    const report = readFixture('claude', 'claude-usage-limit.stream.jsonl', 1);
    expect(report.sessionId).toBe('3d2c1b0a-8f7e-4d6c-9b5a-4e3f2a1b0c9d');
    expect(report.limit).toEqual({
      resetsAt: 1_795_622_400_000,
      text: "You've hit your session limit · resets 4pm (UTC)",
      source: 'rate_limit_event',
    });
    expect(report.usage).toMatchObject({ costUsd: 0 });
    expect(report.nearLimit).toBeUndefined();
  });

  it('a synthetic rate_limit message alone, or a result with status 429 alone, is a limit with no reset time', () => {
    const [init, , synthetic, result] = fixtureLines('claude-usage-limit.stream.jsonl');
    expect(readLines('claude', [init!, synthetic!], 1).limit).toEqual({
      resetsAt: null,
      text: "You've hit your session limit · resets 4pm (UTC)",
      source: 'synthetic rate_limit message',
    });
    expect(readLines('claude', [init!, result!], 1).limit).toMatchObject({ resetsAt: null, source: 'result 429' });
  });

  it('max turns: a named failure with its errors, and the usage of the turns it took', () => {
    const report = readFixture('claude', 'claude-max-turns.stream.jsonl', 1);
    expect(report.failure).toBe('max turns reached (error_max_turns): Reached maximum number of turns (1)');
    expect(report.usage).toMatchObject({ costUsd: 0.0409871, turns: 2 });
    expect(report.limit).toBeUndefined();
  });

  it('is_error with exit 0 is a failure with the reason from the result', () => {
    const report = readFixture('claude', 'claude-is-error-exit0.stream.jsonl', 0);
    expect(report.failure).toMatch(/^the agent reported an error \(API status 529\): API Error: 529 .*overloaded_error/);
    expect(report.limit).toBeUndefined();
  });

  it('the other named subtypes', () => {
    const budget = JSON.stringify({ type: 'result', subtype: 'error_max_budget_usd', is_error: true, errors: ['Reached maximum budget ($0.5)'] });
    const execution = JSON.stringify({ type: 'result', subtype: 'error_during_execution', is_error: true, errors: ['a', 'b'] });
    expect(readLines('claude', [budget], 1).failure).toBe('budget limit reached (error_max_budget_usd): Reached maximum budget ($0.5)');
    expect(readLines('claude', [execution], 1).failure).toBe('error during execution (error_during_execution): a; b');
  });

  it('a line with a rate_limit_event spliced into it: both events are read', () => {
    const report = readFixture('claude', 'claude-spliced-line.stream.jsonl', 0);
    expect(report).toEqual({
      sessionId: '7c1e2a4b-9d3f-4e8a-b6c2-1f0a9e8d7c65',
      usage: { costUsd: 0.0612345, inputTokens: 31403, outputTokens: 183, cachedTokens: 21862, cacheWriteTokens: 9532, turns: 2, apiMs: 9120, durationMs: 18244 },
      // From the spliced event (allowed_warning); the line it was written into was read too (nothing skipped).
      nearLimit: true,
    });
  });

  it('a rejected rate_limit_event spliced into the result line still ends the run on a limit, and the result is read', () => {
    const lines = fixtureLines('claude-usage-limit.stream.jsonl');
    const event = lines[1]!;
    const result = lines[3]!;
    const at = result.indexOf('"duration_ms"');
    const report = readLines('claude', [lines[0]!, `${result.slice(0, at)}${event}${result.slice(at)}`], 1);
    // The result (the line written into) comes first, so it names the source; the reset is the event's.
    expect(report.limit).toMatchObject({ resetsAt: 1_795_622_400_000, source: 'result 429', text: "You've hit your session limit · resets 4pm (UTC)" });
    expect(report.failure).toContain('API status 429');
  });

  it('unknown event types are skipped, not errors; allowed_warning sets nearLimit, allowed does nothing', () => {
    const report = readFixture('claude', 'claude-unknown-events.stream.jsonl', 0);
    expect(report.failure).toBeUndefined();
    expect(report.limit).toBeUndefined();
    expect(report.nearLimit).toBe(true);
    expect(report.usage).toMatchObject({ costUsd: 0.0612345 });
    // tool_progress is a known type; prompt_suggestion is not. system/api_retry is a system event.
    expect(report.skippedLines).toBe(1);
  });

  it('never throws, whatever the line', () => {
    const lines = [
      '',
      'plain text on stderr',
      '{',
      '}{',
      '{"type":',
      '{"type":"result","usage":"not an object","errors":"nor a list","total_cost_usd":"1"}',
      '[1,2,3]',
      'null',
      '{"type":"rate_limit_event","rate_limit_info":null}',
      '{"type":"assistant","message":{"content":"text"},"error":"rate_limit"}',
      `{"a":"${'{'.repeat(10_000)}`,
      '{'.repeat(200_000),
      '\u0000\uffff\ud800',
    ];
    expect(() => readLines('claude', lines, null)).not.toThrow();
    const report = readLines('claude', lines, null);
    expect(report.limit).toBeUndefined();
  });

  it('a result decides over an earlier synthetic error message', () => {
    const synthetic = JSON.stringify({ type: 'assistant', message: { model: '<synthetic>', content: [{ type: 'text', text: 'Credit balance is too low' }] }, error: 'billing_error' });
    expect(readLines('claude', [synthetic], 1).failure).toBe('the agent reported billing_error: Credit balance is too low');
    const ok = JSON.stringify({ type: 'result', subtype: 'success', is_error: false, result: 'done' });
    expect(readLines('claude', [synthetic, ok], 0).failure).toBeUndefined();
  });

  it('not logged in (real claude 2.1.332): the agent cannot work here (auth), in its own words, with what to do', () => {
    const report = readFixture('claude', 'claude-2.1.332-not-logged-in.stream.jsonl', 1);
    expect(report.unusable).toEqual({ cause: 'auth', text: 'Not logged in · Please run /login', fix: expect.stringContaining('`claude /login`') });
    expect(report.failure).toBe('the agent reported an error: Not logged in · Please run /login');
    expect(report.limit).toBeUndefined();
  });

  it('billing, an unknown model, no connection: each is the agent unable to work; an ordinary API error is not', () => {
    const [init] = fixtureLines('claude-success-tooluse.stream.jsonl');
    const billing = JSON.stringify({ type: 'assistant', error: 'billing_error', message: { model: '<synthetic>', content: [{ type: 'text', text: 'Credit balance is too low' }] } });
    expect(readLines('claude', [init!, billing], 1).unusable).toMatchObject({ cause: 'billing', text: 'Credit balance is too low' });
    const model = JSON.stringify({ type: 'result', subtype: 'success', is_error: true, api_error_status: 404, result: "There's an issue with the selected model (claude-nope). It may not exist or you may not have access to it. Run --model to pick a different model." });
    expect(readLines('claude', [init!, model], 1).unusable).toMatchObject({ cause: 'model', text: expect.stringContaining('claude-nope') });
    const offline = JSON.stringify({ type: 'result', subtype: 'success', is_error: true, result: 'API Error: Connection error.' });
    expect(readLines('claude', [init!, offline], 1).unusable).toMatchObject({ cause: 'network', text: 'API Error: Connection error.' });
    expect(readFixture('claude', 'claude-is-error-exit0.stream.jsonl', 0).unusable).toBeUndefined();
    expect(readFixture('claude', 'claude-usage-limit.stream.jsonl', 1).unusable).toBeUndefined();
  });
});
