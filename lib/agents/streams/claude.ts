import { num, obj, shortText, str, strings } from '../fields.js';
import type { JsonObject } from '../json-objects.js';
import { jsonLineReader } from '../json-stream.js';
import type { AgentUnusable, AgentUsage, StreamReader, UsageLimit } from '../report.js';
import { reportOf } from '../usage.js';

/** The result subtypes that name why a run stopped; each carries `errors: string[]` and no `result`. */
export const NAMED_ERRORS: Record<string, string> = {
  error_max_turns: 'max turns reached',
  error_max_budget_usd: 'budget limit reached',
  error_during_execution: 'error during execution',
};

/**
 * An assistant message's `error` (the Agent SDK's SDKAssistantMessageError) that says claude
 * itself cannot work here: every run would say the same until a person acts.
 */
const UNUSABLE_ERRORS: Record<string, Omit<AgentUnusable, 'text'>> = {
  authentication_failed: { cause: 'auth', fix: 'run `claude /login` (or `claude auth login`) as the user chorus runs as, or set ANTHROPIC_API_KEY' },
  oauth_org_not_allowed: { cause: 'auth', fix: 'log in with an account of an organization allowed to use Claude Code (`claude /login`)' },
  billing_error: { cause: 'billing', fix: "check the account's plan or credit balance, then run the batch again" },
};
/** A 404 result with these words: a model claude does not know or this account cannot use (claude 2.1.x words it so). */
const UNKNOWN_MODEL = /issue with the selected model/i;
/** A result claude gives after its own retries when it cannot reach the API (no status: no answer came). */
const NO_CONNECTION = /^API Error: Connection error/i;

/** Event types claude writes that carry nothing for the report; any other type is unknown (skipped). */
const IGNORED_TYPES = new Set(['user', 'stream_event', 'tool_progress', 'auth_status', 'tool_use_summary']);

/**
 * `claude -p ... --output-format stream-json --verbose`. The session id comes from `system/init`;
 * the final `result` decides: `is_error: true` is a failure even with exit 0, and the `error_*`
 * subtypes are named failures with their `errors`. A usage limit is any of: a `rate_limit_event`
 * whose `rate_limit_info.status` is `rejected` (its `resetsAt`, epoch seconds, is the reset), a
 * synthetic assistant message (`message.model: "<synthetic>"`) with `error: "rate_limit"`, a
 * result with `api_error_status: 429`. `allowed_warning` marks the report `nearLimit`. The text
 * of a limit ("You've hit your session limit · resets 4pm (UTC)") changes between versions: it
 * is kept for people, never read for the time. An assistant `error` of authentication or billing,
 * a 404 result about the selected model, or a connection error result is claude unable to work at
 * all (AgentUnusable), not the task's failure.
 */
export function createClaudeReader(): StreamReader {
  let sessionId: string | undefined;
  let usage: AgentUsage | undefined;
  let failure: string | undefined;
  let sawResult = false;
  let nearLimit = false;
  /** The first signal of a limit, what the agent said about it, and the reset from a rejected rate_limit_event. */
  let limitSource: string | undefined;
  let limitWords: string | undefined;
  let rejection: { resetsAt: number | null; kind: string | undefined } | undefined;
  /** A synthetic assistant message's `error` other than rate_limit: a failure when no result follows. */
  let assistantError: string | undefined;
  let unusable: AgentUnusable | undefined;

  const noteLimit = (source: string, words: string | undefined): void => {
    limitSource ??= source;
    if (words) limitWords ??= shortText(words);
  };

  const onRateLimit = (event: JsonObject): void => {
    const info = obj(event['rate_limit_info']);
    const status = str(info?.['status']);
    if (status === 'rejected') {
      const seconds = num(info?.['resetsAt']);
      rejection ??= { resetsAt: seconds === undefined ? null : seconds * 1000, kind: str(info?.['rateLimitType']) };
      noteLimit('rate_limit_event', undefined);
    } else if (status === 'allowed_warning') {
      nearLimit = true;
    }
  };

  const onAssistant = (event: JsonObject): void => {
    const message = obj(event['message']);
    const error = str(event['error']);
    if (error === undefined) return;
    const words = textOf(message);
    if (error === 'rate_limit' && str(message?.['model']) === '<synthetic>') noteLimit('synthetic rate_limit message', words);
    else if (error !== 'rate_limit') assistantError = words ? `${error}: ${shortText(words)}` : error;
    const agentWide = UNUSABLE_ERRORS[error];
    if (agentWide) unusable ??= { ...agentWide, text: shortText(words ?? error) };
  };

  const onResult = (event: JsonObject): void => {
    sawResult = true;
    sessionId ??= str(event['session_id']);
    usage = resultUsage(event);
    const subtype = str(event['subtype']) ?? '';
    const errors = strings(event['errors']);
    const status = num(event['api_error_status']);
    const words = str(event['result']);
    if (status === 429) noteLimit('result 429', words);
    if (event['is_error'] === true && words) {
      if (status === 404 && UNKNOWN_MODEL.test(words)) unusable ??= { cause: 'model', text: shortText(words), fix: 'check agentModel (or the --model in agentExtraArgs): claude cannot use that model with this account' };
      else if (status === undefined && NO_CONNECTION.test(words)) unusable ??= { cause: 'network', text: shortText(words), fix: 'check the network (or proxy) between this machine and the API; chorus tries again with backoff' };
    }
    if (subtype.startsWith('error')) {
      const name = NAMED_ERRORS[subtype] ?? 'failed';
      failure = shortText(`${name} (${subtype})${errors.length ? `: ${errors.join('; ')}` : ''}`);
    } else if (event['is_error'] === true) {
      const detail = words || errors.join('; ') || (status !== undefined ? `API error ${status}` : 'no details');
      failure = shortText(`the agent reported an error${status !== undefined ? ` (API status ${status})` : ''}: ${detail}`);
    } else {
      failure = undefined;
    }
  };

  return jsonLineReader({
    event(event) {
      switch (event['type']) {
        case 'system':
          if (event['subtype'] === 'init') sessionId ??= str(event['session_id']);
          return true;
        case 'rate_limit_event':
          onRateLimit(event);
          return true;
        case 'assistant':
          onAssistant(event);
          return true;
        case 'result':
          onResult(event);
          return true;
        default:
          return IGNORED_TYPES.has(String(event['type']));
      }
    },
    end() {
      const limit = limitSource !== undefined ? buildLimit(limitSource, limitWords, rejection) : undefined;
      const failed = failure ?? (sawResult ? undefined : assistantError && `the agent reported ${assistantError}`);
      return reportOf({ sessionId, usage, limit, nearLimit, failure: failed || undefined, unusable });
    },
  });
}

function buildLimit(source: string, words: string | undefined, rejection: { resetsAt: number | null; kind: string | undefined } | undefined): UsageLimit {
  const text = words ?? `rate_limit_event: rejected${rejection?.kind ? ` (${rejection.kind})` : ''}`;
  return { resetsAt: rejection?.resetsAt ?? null, text, source };
}

/** claude's `input_tokens` counts only what was not cached: the cache reads and writes are added in (AgentUsage.inputTokens). */
function resultUsage(event: JsonObject): AgentUsage {
  const tokens = obj(event['usage']);
  const fresh = num(tokens?.['input_tokens']);
  const cacheRead = num(tokens?.['cache_read_input_tokens']);
  const cacheWrite = num(tokens?.['cache_creation_input_tokens']);
  const input = [fresh, cacheRead, cacheWrite].filter((n): n is number => n !== undefined);
  return {
    costUsd: num(event['total_cost_usd']),
    inputTokens: input.length ? input.reduce((a, b) => a + b, 0) : undefined,
    outputTokens: num(tokens?.['output_tokens']),
    cachedTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    turns: num(event['num_turns']),
    apiMs: num(event['duration_api_ms']),
    durationMs: num(event['duration_ms']),
  };
}

/** The text blocks of an assistant message, joined. */
function textOf(message: JsonObject | undefined): string | undefined {
  const content = message?.['content'];
  if (!Array.isArray(content)) return undefined;
  const texts = content.map((block) => str(obj(block)?.['text'])).filter((text): text is string => text !== undefined);
  return texts.length ? texts.join(' ') : undefined;
}
