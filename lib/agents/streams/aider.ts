import { shortText, stripAnsi } from '../fields.js';
import type { AgentReport, AgentUnusable, StreamReader } from '../report.js';

/**
 * The litellm exceptions aider catches around a model call (aider/exceptions.py), printed as
 * `litellm.<Name>: <provider's text>` (str() of the exception), on a line of its own.
 */
const ERROR_LINE = /^(?:litellm\.)?([A-Za-z]+Error|Timeout): ?(.*)$/;
const KNOWN_ERRORS = new Set([
  'APIConnectionError',
  'APIError',
  'APIResponseValidationError',
  'AuthenticationError',
  'AzureOpenAIError',
  'BadRequestError',
  'BudgetExceededError',
  'ContentPolicyViolationError',
  'ContextWindowExceededError',
  'InternalServerError',
  'InvalidRequestError',
  'JSONSchemaValidationError',
  'NotFoundError',
  'OpenAIError',
  'RateLimitError',
  'RouterRateLimitError',
  'ServiceUnavailableError',
  'UnprocessableEntityError',
  'UnsupportedParamsError',
  'Timeout',
]);
const RATE_LIMIT_ERRORS = new Set(['RateLimitError', 'RouterRateLimitError']);
/** What a provider's quota refusal says inside another exception type (OpenAI `insufficient_quota`, Google `RESOURCE_EXHAUSTED`). */
const QUOTA_WORDS = /insufficient_quota|exceeded your current quota|RESOURCE_EXHAUSTED/;
const NAMED: Record<string, string> = {
  AuthenticationError: 'authentication failed',
  NotFoundError: 'model not found',
  BudgetExceededError: 'budget exceeded',
  ContextWindowExceededError: 'context window exceeded',
};
/** The exceptions that say aider itself cannot work here (its key, its model, its route to the API), whatever the task. */
const UNUSABLE: Record<string, Omit<AgentUnusable, 'text'>> = {
  AuthenticationError: { cause: 'auth', fix: "check the API key aider uses (ANTHROPIC_API_KEY, OPENAI_API_KEY, ... or aider's --api-key) for the user chorus runs as" },
  NotFoundError: { cause: 'model', fix: "check agentModel (aider's --model): the provider does not know that model" },
  APIConnectionError: { cause: 'network', fix: 'check the network (or proxy) between this machine and the model provider; chorus tries again with backoff' },
};
/** Printed after every model call that returned (aider's usage report). */
const CALL_DONE = /^Tokens: .+ sent, .+ received\b/;

/**
 * Aider has no machine-readable output and exits 0 even when its model call failed or was
 * rate-limited, so this reads its text, and only these lines of it.
 *
 * Detectable: a model call that failed for good: aider prints the litellm exception
 * (`litellm.RateLimitError: ...`, `litellm.AuthenticationError: ...`, `litellm.NotFoundError:
 * ...` for a model the provider does not know, `litellm.APIError: ...`, ...) and, for the kinds
 * it retries, `Retrying in N seconds...` before trying again; when a call then succeeds, aider
 * prints `Tokens: N sent, N received...`, which clears the error before it. So an error line
 * with no `Tokens:` line after it is how the run ended: a RateLimitError (or a quota refusal
 * inside another error) is a usage limit, anything else a failure named after the exception;
 * an AuthenticationError, a NotFoundError (the model) or an APIConnectionError is also aider
 * unable to work at all (AgentUnusable).
 *
 * Not detectable: when a limit resets (aider does not say; the provider's JSON inside the text
 * varies), so `resetsAt` is always null; whether the edits applied or the task was done (an
 * agent that answers without editing looks like success); failures outside the model call
 * (git, lint, test commands, a crash of aider's own, which exits non-zero and is left to the
 * exit code); cost and tokens, which aider prints only as text for people and are not read. An
 * error line inside the model's own reply is followed by that call's `Tokens:` line and so
 * cleared; one at the end of a reply that aider then cut off would be misread.
 */
export function createAiderReader(): StreamReader {
  let lastError: { name: string; text: string } | undefined;
  // Every line is text here: `skippedLines` (lines that were not JSON) would count them all, so it is not kept.
  return {
    feed(line) {
      try {
        const plain = stripAnsi(line).trimEnd();
        const error = ERROR_LINE.exec(plain);
        if (error && KNOWN_ERRORS.has(error[1]!)) lastError = { name: error[1]!, text: error[2] ?? '' };
        else if (CALL_DONE.test(plain)) lastError = undefined;
      } catch {
        // A line that cannot be read is no finding.
      }
    },
    end() {
      const report: AgentReport = {};
      if (lastError) {
        const { name, text } = lastError;
        const said = shortText(`${name}: ${text}`);
        if (RATE_LIMIT_ERRORS.has(name) || QUOTA_WORDS.test(text)) {
          report.limit = { resetsAt: null, text: `${said} (aider gives no reset time)`, source: `aider ${name}` };
        }
        report.failure = shortText(`${NAMED[name] ?? 'model call failed'} (${said})`);
        const agentWide = UNUSABLE[name];
        if (agentWide) report.unusable = { ...agentWide, text: said };
      }
      return report;
    },
  };
}
