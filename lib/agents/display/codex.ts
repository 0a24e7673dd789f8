import { num, obj, str } from '../fields.js';
import type { JsonObject } from '../json-objects.js';
import type { DisplayOptions } from './shown.js';
import { resultStatus, shortId, shownPath, summary, tokens, toolCall } from './tool-call.js';

/** How codex names a file change, as the tool a person knows for it. */
const CHANGE_NAMES: Record<string, string> = { add: 'Write', delete: 'Delete', update: 'Edit' };

/** `bash -lc 'npm test'`: codex runs each command through a login shell; the command is what it runs. */
const SHELL_WRAPPED = /^(?:\/\S*\/)?(?:ba|z)?sh\s+-l?c\s+(['"])([\s\S]*)\1$/;

/**
 * What a person reads of one event of `codex exec --json`: its replies and reasoning summaries
 * (`item.completed` agent_message, reasoning), each command as it starts (`Bash npm test`) and
 * its exit as a short status, each file change (`Edit src/cart.ts`), each tool and web search,
 * errors, and the turn's tokens when it completes (codex reports no cost).
 */
export function showCodexEvent(event: JsonObject, options: DisplayOptions): string[] {
  switch (event['type']) {
    case 'thread.started':
      return [summary('session started', [shortId(str(event['thread_id']))])];
    case 'item.started':
      return startedLines(obj(event['item']));
    case 'item.completed':
      return completedLines(obj(event['item']), options);
    case 'turn.completed': {
      const usage = obj(event['usage']);
      return [summary('✓ turn done', [tokens(num(usage?.['input_tokens']), num(usage?.['output_tokens']))])];
    }
    case 'turn.failed':
      return [`✗ ${str(obj(event['error'])?.['message']) ?? 'the turn failed'}`];
    case 'error':
      // Also codex's "Reconnecting... 2/5": a setback it may get over, not yet the end.
      return [`! ${str(event['message']) ?? 'error'}`];
    default:
      return [];
  }
}

function startedLines(item: JsonObject | undefined): string[] {
  switch (item?.['type']) {
    case 'command_execution':
      return [commandCall(str(item['command']))];
    case 'mcp_tool_call':
      return [[str(item['server']), str(item['tool'])].filter(Boolean).join('.') || 'tool'];
    case 'web_search':
      return [toolCall('WebSearch', { query: item['query'] }, {})];
    default:
      return [];
  }
}

function completedLines(item: JsonObject | undefined, options: DisplayOptions): string[] {
  switch (item?.['type']) {
    case 'agent_message':
    case 'reasoning': {
      // A reasoning summary is a bold heading (`**Running the tests**`): its words are the news.
      const text = str(item['text'])?.replace(/^\*\*(.*)\*\*$/s, '$1').trim();
      return text ? [text] : [];
    }
    case 'command_execution': {
      const exit = num(item['exit_code']);
      if (item['status'] === 'declined') return ['↳ declined'];
      return [resultStatus(exit === 0 || (exit === undefined && item['status'] === 'completed'), str(item['aggregated_output']), exit !== undefined ? `exit ${exit}` : 'failed')];
    }
    case 'file_change': {
      const changes = Array.isArray(item['changes']) ? item['changes'] : [];
      return changes.flatMap((change) => {
        const file = str(obj(change)?.['path']);
        return file ? [`${CHANGE_NAMES[str(obj(change)?.['kind']) ?? ''] ?? 'Change'} ${shownPath(file, options)}`] : [];
      });
    }
    case 'mcp_tool_call':
      return [resultStatus(item['status'] !== 'failed', str(obj(item['error'])?.['message']) ?? str(item['error']))];
    case 'error':
      return [`! ${str(item['message']) ?? 'error'}`];
    default:
      return [];
  }
}

function commandCall(command: string | undefined): string {
  const inner = command !== undefined ? SHELL_WRAPPED.exec(command.trim())?.[2] : undefined;
  return toolCall('Bash', { command: inner ?? command }, {});
}
