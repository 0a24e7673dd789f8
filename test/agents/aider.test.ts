import { describe, expect, it } from 'vitest';
import { readFixture } from './helpers.js';

describe('aider output reader (text)', () => {
  it('a run whose model calls returned reports nothing', () => {
    expect(readFixture('aider', 'aider-success.txt', 0)).toEqual({});
  });

  it('a rate limit it gave up on: a limit with no reset time, even with exit 0', () => {
    const report = readFixture('aider', 'aider-rate-limit.txt', 0);
    expect(report.limit).toEqual({
      resetsAt: null,
      text: expect.stringMatching(/^RateLimitError: AnthropicException - .*\(aider gives no reset time\)$/),
      source: 'aider RateLimitError',
    });
    expect(report.failure).toMatch(/^model call failed \(RateLimitError: /);
  });

  it('an error aider retried past (a Tokens: line follows) is no failure', () => {
    expect(readFixture('aider', 'aider-retry-then-success.txt', 0)).toEqual({});
  });

  it('authentication, an unknown model, an API error: failures named after the exception', () => {
    expect(readFixture('aider', 'aider-auth-error.txt', 0).failure).toMatch(/^authentication failed \(AuthenticationError: AnthropicException - .*invalid x-api-key/);
    expect(readFixture('aider', 'aider-model-not-found.txt', 0).failure).toMatch(/^model not found \(NotFoundError: .*claude-sonnet-9/);
    const api = readFixture('aider', 'aider-api-error.txt', 0);
    expect(api.failure).toBe('model call failed (APIError: APIError: OpenrouterException - Internal Server Error)');
    expect(api.limit).toBeUndefined();
  });

  it('authentication and an unknown model are aider unable to work at all; an API error is the task’s failure only', () => {
    expect(readFixture('aider', 'aider-auth-error.txt', 0).unusable).toMatchObject({ cause: 'auth', text: expect.stringMatching(/^AuthenticationError: .*invalid x-api-key/) });
    expect(readFixture('aider', 'aider-model-not-found.txt', 0).unusable).toMatchObject({ cause: 'model', text: expect.stringContaining('claude-sonnet-9') });
    expect(readFixture('aider', 'aider-api-error.txt', 0).unusable).toBeUndefined();
    expect(readFixture('aider', 'aider-rate-limit.txt', 0).unusable).toBeUndefined();
  });

  it('a non-zero exit with nothing recognised stays as it is', () => {
    expect(readFixture('aider', 'aider-success.txt', 1)).toEqual({});
  });
});
