import { formatDuration } from '../../text/format-duration.js';
import { num, obj, str } from '../fields.js';
import type { JsonObject } from '../json-objects.js';
import type { DisplayOptions, Shown } from './shown.js';
import { resultStatus, shortId, summary, tokens, toolCall } from './tool-call.js';

/** gemini-cli's built-in tools by the names a person knows from the other agents; others show as gemini names them. */
const TOOL_NAMES: Record<string, string> = {
  run_shell_command: 'Bash',
  read_file: 'Read',
  read_many_files: 'Read',
  write_file: 'Write',
  replace: 'Edit',
  glob: 'Glob',
  search_file_content: 'Grep',
  list_directory: 'List',
  web_fetch: 'WebFetch',
  google_web_search: 'WebSearch',
  save_memory: 'Memory',
};

/**
 * What a person reads of one event of `gemini -o stream-json`: the assistant's messages (a
 * `delta` one is a piece of a reply streamed in parts, joined to the next), each tool call as its
 * name and main argument, each result as a short status, errors, and the final result with its
 * tokens and time (gemini reports no cost). The prompt (the user message) is not repeated.
 */
export function showGeminiEvent(event: JsonObject, options: DisplayOptions): Shown[] {
  switch (event['type']) {
    case 'init':
      return [summary('session started', [shortId(str(event['session_id'])), str(event['model'])])];
    case 'message': {
      const content = str(event['content']);
      if (event['role'] !== 'assistant' || !content) return [];
      return [event['delta'] === true ? { piece: content } : content.trim()];
    }
    case 'tool_use': {
      const name = str(event['tool_name']) ?? 'tool';
      return [toolCall(TOOL_NAMES[name] ?? name, obj(event['parameters']), options)];
    }
    case 'tool_result':
      return [resultStatus(event['status'] === 'success', str(event['output']) ?? str(obj(event['error'])?.['message']))];
    case 'error':
      return [`${event['severity'] === 'warning' ? '!' : '✗'} ${str(event['message']) ?? 'error'}`];
    case 'result':
      return [resultLine(event)];
    default:
      return [];
  }
}

function resultLine(event: JsonObject): string {
  const stats = obj(event['stats']);
  const ms = num(stats?.['duration_ms']);
  const parts = [tokens(num(stats?.['input_tokens']), num(stats?.['output_tokens'])), ms !== undefined ? formatDuration(ms) : undefined];
  if (event['status'] !== 'error') return summary('✓ done', parts);
  const error = obj(event['error']);
  const words = [str(error?.['type']), str(error?.['message'])].filter(Boolean).join(': ');
  return summary(`✗ ${words || 'the agent reported an error'}`, parts);
}
