import { formatDuration } from '../../text/format-duration.js';
import { formatWallClock } from '../../text/wall-clock.js';
import { num, obj, str, strings } from '../fields.js';
import type { JsonObject } from '../json-objects.js';
import { NAMED_ERRORS } from '../streams/claude.js';
import { roundedUsd } from '../usage-text.js';
import type { DisplayOptions } from './shown.js';
import { resultStatus, shortId, summary, toolCall } from './tool-call.js';

/**
 * What a person reads of one event of `claude -p --output-format stream-json --verbose`: the
 * assistant's text, each tool call as its name and main argument (`Bash npm test`), each tool
 * result as a short status, the final result with its cost, a usage limit with its reset, an
 * API retry. Thinking, progress, stream deltas and event types claude adds later show nothing.
 */
export function showClaudeEvent(event: JsonObject, options: DisplayOptions): string[] {
  switch (event['type']) {
    case 'system':
      return systemLines(event);
    case 'assistant':
      return assistantLines(event, options);
    case 'user':
      return toolResults(event);
    case 'result':
      return [resultLine(event)];
    case 'rate_limit_event':
      return rateLimitLines(event, options);
    default:
      return [];
  }
}

function systemLines(event: JsonObject): string[] {
  if (event['subtype'] === 'init') return [summary('session started', [shortId(str(event['session_id'])), str(event['model'])])];
  if (event['subtype'] === 'api_retry') {
    const attempt = num(event['attempt']);
    const of = num(event['max_retries']);
    const why = [num(event['error_status']), str(event['error'])].filter((part) => part !== undefined).join(' ');
    const delay = num(event['retry_delay_ms']);
    return [`! the API failed${why ? ` (${why})` : ''}; retry${attempt !== undefined ? ` ${attempt}${of !== undefined ? ` of ${of}` : ''}` : ''}${delay !== undefined ? ` in ${formatDuration(delay)}` : ''}`];
  }
  return [];
}

function assistantLines(event: JsonObject, options: DisplayOptions): string[] {
  const content = obj(event['message'])?.['content'];
  const lines: string[] = [];
  for (const block of Array.isArray(content) ? content : []) {
    const part = obj(block);
    if (part?.['type'] === 'text') {
      const text = str(part['text'])?.trim();
      if (text) lines.push(text);
    } else if (part?.['type'] === 'tool_use') {
      lines.push(toolCall(str(part['name']) ?? 'tool', obj(part['input']), options));
    }
  }
  const error = str(event['error']);
  // A message that is only an error (claude's synthetic ones carry their words as text, shown above).
  if (error && lines.length === 0) lines.push(`✗ ${error}`);
  return lines;
}

/** The results of tool calls come back as a user message, one `tool_result` block per call. */
function toolResults(event: JsonObject): string[] {
  const content = obj(event['message'])?.['content'];
  if (!Array.isArray(content)) return [];
  return content.flatMap((block) => {
    const part = obj(block);
    if (part?.['type'] !== 'tool_result') return [];
    return [resultStatus(part['is_error'] !== true, resultText(part['content']))];
  });
}

/** A tool result's content: a string, or text blocks (images and the like say nothing here). */
function resultText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  return content.map((block) => str(obj(block)?.['text'])).filter((text): text is string => text !== undefined).join('\n');
}

function resultLine(event: JsonObject): string {
  const subtype = str(event['subtype']) ?? '';
  const turns = num(event['num_turns']);
  const ms = num(event['duration_ms']);
  const cost = num(event['total_cost_usd']);
  const parts = [cost !== undefined ? roundedUsd(cost) : undefined, turns !== undefined ? `${turns} turn${turns === 1 ? '' : 's'}` : undefined, ms !== undefined ? formatDuration(ms) : undefined];
  let head = '✓ done';
  if (subtype.startsWith('error')) {
    const errors = strings(event['errors']);
    head = `✗ ${NAMED_ERRORS[subtype] ?? 'failed'} (${subtype})${errors.length ? `: ${errors.join('; ')}` : ''}`;
  } else if (event['is_error'] === true) {
    const status = num(event['api_error_status']);
    head = `✗ ${str(event['result'])?.trim() || (status !== undefined ? `API error ${status}` : 'the agent reported an error')}`;
  }
  return summary(head, parts);
}

function rateLimitLines(event: JsonObject, options: DisplayOptions): string[] {
  const info = obj(event['rate_limit_info']);
  const kind = str(info?.['rateLimitType']);
  const resetsAt = num(info?.['resetsAt']);
  const resets = resetsAt !== undefined ? `resets ${formatWallClock(resetsAt * 1000, (options.now ?? Date.now)())}` : undefined;
  if (info?.['status'] === 'rejected') return [summary(`✗ usage limit reached${kind ? ` (${kind})` : ''}`, [resets])];
  if (info?.['status'] === 'allowed_warning') {
    const used = num(info['utilization']);
    return [summary(`! near the usage limit${kind ? ` (${kind})` : ''}`, [used !== undefined ? `${Math.round(used * 100)}% used` : undefined, resets])];
  }
  return [];
}
