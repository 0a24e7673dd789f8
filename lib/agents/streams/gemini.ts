import { num, obj, shortText, str, stripAnsi } from '../fields.js';
import type { JsonObject } from '../json-objects.js';
import { jsonLineReader } from '../json-stream.js';
import type { AgentUnusable, AgentUsage, StreamReader, UsageLimit } from '../report.js';
import { parseCompactDuration } from '../reset-time.js';
import { reportOf } from '../usage.js';

const IGNORED_TYPES = new Set(['message', 'tool_use', 'tool_result']);

/** gemini-cli's exit codes for failures it names (0 ok, 1 general, 130 SIGINT are left to the pool). */
const EXIT_FAILURES: Record<number, string> = {
  41: 'authentication failed',
  42: 'invalid input',
  52: 'configuration error',
  53: 'turn limit reached',
  54: 'fatal tool error',
};

/** Exit 41: gemini has no credentials or they were refused; it says so in text on stderr (gemini 0.61: "Please set an Auth method ..."). */
const AUTH_EXIT = 41;
const AUTH_FIX = 'set GEMINI_API_KEY (or GOOGLE_GENAI_USE_VERTEXAI / GOOGLE_GENAI_USE_GCA), or pick an auth method in ~/.gemini/settings.json, for the user chorus runs as';

/** gemini-cli's quota errors: TerminalQuotaError (and the retryable kind, which it retries itself). */
const QUOTA_TYPE = /QuotaError$/;
const QUOTA_TEXT = /exhausted your capacity|quota will reset after/i;
/** The only place gemini gives the reset: `Your quota will reset after 2h52m39s.` */
const QUOTA_RESET = /quota will reset after ((?:\d+(?:\.\d+)?(?:ms|d|h|m|s))+)/i;

/**
 * `gemini -p ... -o stream-json`: `init` gives the session; `result{status, stats}` the usage
 * (tokens, cached tokens, its `duration_ms`; it reports no cost or turns) and, with `status:
 * "error"`, a failure from `error{type,message}`; `error` events of severity `error` are kept as
 * the detail of a failure. Exit codes 41, 42, 52, 53, 54 are named failures. A quota error
 * (a QuotaError type, or its text on stderr: gemini prints it there, not as an event) is a
 * limit; `Your quota will reset after 2h52m39s.` gives the reset as now + that duration. gemini
 * retries quota errors it expects to clear by itself, so one followed by a successful result is
 * no limit. Exit 41 is gemini unable to work at all (AgentUnusable, auth), quoting what it
 * last said on stderr.
 */
export function createGeminiReader(options: { now: () => number }): StreamReader {
  let sessionId: string | undefined;
  let usage: AgentUsage | undefined;
  let status: string | undefined;
  let resultError: string | undefined;
  let lastError: string | undefined;
  let limit: UsageLimit | undefined;
  /** The last line of text (not JSON) gemini printed: where it explains an exit 41. */
  let lastText: string | undefined;

  const checkQuota = (text: string, typeName?: string): boolean => {
    if (!(typeName !== undefined && QUOTA_TYPE.test(typeName)) && !QUOTA_TEXT.test(text)) return false;
    const after = QUOTA_RESET.exec(text)?.[1];
    const ms = after === undefined ? undefined : parseCompactDuration(after);
    const words = shortText(text);
    const resetsAt = ms === undefined ? null : options.now() + ms;
    const found: UsageLimit = {
      resetsAt,
      text: resetsAt === null ? `${words} (chorus could not read a reset time from this)` : words,
      source: 'gemini quota',
    };
    // A later message with a reset time says more than an earlier one without.
    if (limit === undefined || (limit.resetsAt === null && resetsAt !== null)) limit = found;
    return true;
  };

  const onResult = (event: JsonObject): void => {
    status = str(event['status']);
    const stats = obj(event['stats']);
    if (stats) {
      usage = {
        inputTokens: num(stats['input_tokens']),
        outputTokens: num(stats['output_tokens']),
        cachedTokens: num(stats['cached']),
        turns: num(stats['turns']),
        durationMs: num(stats['duration_ms']),
      };
    }
    if (status === 'error') {
      const error = obj(event['error']);
      const message = str(error?.['message']);
      const type = str(error?.['type']);
      resultError = shortText([type, message].filter(Boolean).join(': ') || 'the agent reported an error with no message');
      checkQuota(message ?? '', type);
    }
  };

  return jsonLineReader({
    event(event) {
      switch (event['type']) {
        case 'init':
          sessionId ??= str(event['session_id']);
          return true;
        case 'error': {
          const message = str(event['message']) ?? '';
          if (str(event['severity']) !== 'warning') {
            if (message) lastError = shortText(message);
            checkQuota(message);
          }
          return true;
        }
        case 'result':
          onResult(event);
          return true;
        default:
          return IGNORED_TYPES.has(String(event['type']));
      }
    },
    text(line) {
      const plain = stripAnsi(line);
      if (plain.trim()) lastText = shortText(plain);
      return checkQuota(plain);
    },
    end(exit) {
      const named = exit.exitCode !== null ? EXIT_FAILURES[exit.exitCode] : undefined;
      const detail = resultError ?? lastError;
      const failed = named ? shortText(`${named} (exit ${exit.exitCode})${detail ? `: ${detail}` : ''}`) : status === 'error' ? (detail ?? 'the agent reported an error') : undefined;
      const unusable: AgentUnusable | undefined =
        exit.exitCode === AUTH_EXIT ? { cause: 'auth', text: detail ?? lastText ?? 'authentication failed (exit 41)', fix: AUTH_FIX } : undefined;
      return reportOf({ sessionId, usage, limit: status !== 'success' ? limit : undefined, failure: failed, unusable });
    },
  });
}
