import { describe, expect, it } from 'vitest';
import { fixtureLines, readFixture, readLines } from './helpers.js';

const NOW = 1_790_000_000_000;

describe('gemini stream reader', () => {
  it('no credentials (real gemini 0.61, exit 41, its words on stderr): the agent cannot work here (auth), quoting it', () => {
    const report = readFixture('gemini', 'gemini-0.61-no-auth.stderr.txt', 41);
    expect(report.unusable).toEqual({ cause: 'auth', text: expect.stringMatching(/^Please set an Auth method in your \/root\/\.gemini\/settings\.json .*GEMINI_API_KEY/), fix: expect.stringContaining('GEMINI_API_KEY') });
    expect(report.failure).toBe('authentication failed (exit 41)');
    expect(readFixture('gemini', 'gemini-0.61-no-auth.stderr.txt', 1).unusable).toBeUndefined();
  });

  it('a successful run: session id and the stats it reports', () => {
    expect(readFixture('gemini', 'gemini-stream-json.jsonl', 0)).toEqual({
      sessionId: 'c0ffee00-1234-4abc-9def-0123456789ab',
      usage: { inputTokens: 12710, outputTokens: 130, cachedTokens: 8000, durationMs: 10040 },
    });
  });

  it('exit 53 is the turn limit, named, with the error gemini gave', () => {
    const report = readFixture('gemini', 'gemini-turn-limit.jsonl', 53);
    expect(report.failure).toBe('turn limit reached (exit 53): FatalTurnLimitedError: Reached max session turns for this session. Increase the number of turns by specifying maxSessionTurns in settings.json.');
    expect(report.usage).toMatchObject({ inputTokens: 5000, outputTokens: 120 });
    expect(report.sessionId).toBe('d00dfeed-5678-4bcd-8ef0-123456789abc');
  });

  it('the other named exit codes; exit 1 with nothing reported stays as it is', () => {
    const init = fixtureLines('gemini-stream-json.jsonl')[0]!;
    expect(readLines('gemini', [init], 41).failure).toBe('authentication failed (exit 41)');
    expect(readLines('gemini', [init], 42).failure).toBe('invalid input (exit 42)');
    expect(readLines('gemini', [init], 52).failure).toBe('configuration error (exit 52)');
    expect(readLines('gemini', [init], 54).failure).toBe('fatal tool error (exit 54)');
    expect(readLines('gemini', [init], 1)).toEqual({ sessionId: 'c0ffee00-1234-4abc-9def-0123456789ab' });
    expect(readLines('gemini', [init], null)).toEqual({ sessionId: 'c0ffee00-1234-4abc-9def-0123456789ab' });
  });

  it('a quota error on stderr: a limit that resets after the duration it gives', () => {
    const report = readFixture('gemini', 'gemini-quota.jsonl', 1, { now: () => NOW });
    expect(report.limit).toEqual({
      resetsAt: NOW + ((2 * 60 + 52) * 60 + 39) * 1000,
      text: expect.stringContaining('Your quota will reset after 2h52m39s.'),
      source: 'gemini quota',
    });
    expect(report.failure).toBeUndefined();
  });

  it('a quota error in a result; one gemini recovered from (a successful result follows) is no limit', () => {
    const result = JSON.stringify({ type: 'result', status: 'error', error: { type: 'TerminalQuotaError', message: 'You have exhausted your capacity on this model.' }, stats: {} });
    const report = readLines('gemini', [result], 1, { now: () => NOW });
    expect(report.limit).toEqual({ resetsAt: null, text: 'You have exhausted your capacity on this model. (chorus could not read a reset time from this)', source: 'gemini quota' });
    expect(report.failure).toBe('TerminalQuotaError: You have exhausted your capacity on this model.');
    const retried = 'Attempt 1 failed: You have exhausted your capacity on this model. Your quota will reset after 1s.';
    const lines = [...fixtureLines('gemini-stream-json.jsonl').slice(0, 2), retried, ...fixtureLines('gemini-stream-json.jsonl').slice(2)];
    expect(readLines('gemini', lines, 0).limit).toBeUndefined();
  });

  it('warnings are no failure; unknown types are skipped', () => {
    const warning = JSON.stringify({ type: 'error', severity: 'warning', message: 'Loop detected' });
    expect(readLines('gemini', [warning, '{"type":"thought","text":"x"}'], 0)).toEqual({ skippedLines: 1 });
  });
});
