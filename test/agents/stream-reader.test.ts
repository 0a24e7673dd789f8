import { describe, expect, it } from 'vitest';
import { AGENT_KINDS } from '../../lib/agents/report.js';
import { createStreamReader } from '../../lib/agents/stream-reader.js';
import { fixtureLines } from './helpers.js';

describe('createStreamReader', () => {
  it('custom agents are a black box: nothing read, nothing reported', () => {
    const reader = createStreamReader('custom');
    for (const line of fixtureLines('claude-usage-limit.stream.jsonl')) reader.feed(line);
    expect(reader.end({ exitCode: 1, signal: null })).toEqual({});
  });

  it('every kind survives any line and a non-zero exit with no finding reports no failure', () => {
    for (const kind of AGENT_KINDS) {
      const reader = createStreamReader(kind);
      for (const line of ['', 'text', '{"type":1}', '{"type":"result"', '\u001b[31mred\u001b[0m']) reader.feed(line);
      const report = reader.end({ exitCode: 3, signal: null });
      expect(report.failure, kind).toBeUndefined();
      expect(report.limit, kind).toBeUndefined();
    }
  });
});
