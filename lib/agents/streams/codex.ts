import { num, obj, shortText, str } from '../fields.js';
import { jsonLineReader } from '../json-stream.js';
import type { AgentUnusable, AgentUsage, StreamReader, UsageLimit } from '../report.js';
import { codexResetAt } from '../reset-time.js';
import { reportOf } from '../usage.js';

const IGNORED_TYPES = new Set(['turn.started', 'item.started', 'item.updated', 'item.completed']);

/**
 * Codex's usage-limit message (its UsageLimitReachedError): `You've hit your usage limit. ...`,
 * with a straight or a curly apostrophe. `codex exec --json` gives the error as a message only,
 * with no code, so this text is the one signal there is.
 */
const USAGE_LIMIT = /you(?:'|’)ve hit your usage limit/i;

/**
 * What codex 0.171 prints, as an `error` event every few seconds and for ever, once its own
 * retries (`Reconnecting... 1/5` to `5/5`) are spent and it has no route to its API. It never
 * exits by itself: the run is ended when this is read.
 */
const WAITING_FOR_NETWORK = /Reconnecting\.\.\. waiting for network/i;

/**
 * `codex exec --json`: `thread.started{thread_id}` is the session; `turn.completed{usage}` adds
 * tokens (codex reports no cost; `turns` counts completed turns); `turn.failed{error{message}}`
 * and a top-level `error{message}` are failures; a usage-limit message is a limit, its reset read
 * from the text (a local wall-clock time with no zone, see reset-time.ts) when it can be.
 * "Reconnecting... waiting for network" is no network to its API (AgentUnusable), and asks for
 * the run to end now (`endNow`).
 */
export function createCodexReader(options: { now: () => number }): StreamReader {
  let sessionId: string | undefined;
  let usage: AgentUsage | undefined;
  let failure: string | undefined;
  let limit: UsageLimit | undefined;
  let unusable: AgentUnusable | undefined;

  const onError = (message: string | undefined): void => {
    const text = message ?? 'the agent reported an error with no message';
    if (WAITING_FOR_NETWORK.test(text)) {
      unusable ??= { cause: 'network', text: shortText(text), fix: 'check the network (or proxy) between this machine and the OpenAI API; chorus tries again with backoff' };
      return;
    }
    failure ??= shortText(text);
    if (limit === undefined && USAGE_LIMIT.test(text)) {
      const resetsAt = codexResetAt(text, options.now());
      const words = shortText(text);
      limit = {
        resetsAt,
        text: resetsAt === null ? `${words} (chorus could not read a reset time from this)` : words,
        source: 'codex error',
      };
    }
  };

  return jsonLineReader({
    event(event) {
      switch (event['type']) {
        case 'thread.started':
          sessionId ??= str(event['thread_id']);
          return true;
        case 'turn.completed': {
          const tokens = obj(event['usage']);
          usage = {
            inputTokens: add(usage?.inputTokens, num(tokens?.['input_tokens'])),
            cachedTokens: add(usage?.cachedTokens, num(tokens?.['cached_input_tokens'])),
            outputTokens: add(usage?.outputTokens, num(tokens?.['output_tokens'])),
            turns: (usage?.turns ?? 0) + 1,
          };
          return true;
        }
        case 'turn.failed':
          onError(str(obj(event['error'])?.['message']));
          return true;
        case 'error':
          onError(str(event['message']));
          return true;
        default:
          return IGNORED_TYPES.has(String(event['type']));
      }
    },
    endNow: () => unusable !== undefined,
    end() {
      return reportOf({ sessionId, usage, limit, failure, unusable });
    },
  });
}

function add(total: number | undefined, more: number | undefined): number | undefined {
  return more === undefined ? total : (total ?? 0) + more;
}
