import type { AgentKind, StreamReader } from './report.js';
import { createAiderReader } from './streams/aider.js';
import { createClaudeReader } from './streams/claude.js';
import { createCodexReader } from './streams/codex.js';
import { createGeminiReader } from './streams/gemini.js';

export interface StreamReaderOptions {
  /** The clock for reset times given as "after 2h52m39s" or "at 4:20 PM" (epoch ms). @default Date.now */
  now?: () => number;
}

/**
 * A reader of one attempt's output for an agent of this kind: feed it each line as it arrives,
 * then `end()` with how the process ended. `custom` agents are a black box: their reader reads
 * nothing and reports nothing (an empty report). Readers never throw.
 */
export function createStreamReader(kind: AgentKind, options: StreamReaderOptions = {}): StreamReader {
  const now = options.now ?? Date.now;
  switch (kind) {
    case 'claude':
      return createClaudeReader();
    case 'codex':
      return createCodexReader({ now });
    case 'gemini':
      return createGeminiReader({ now });
    case 'aider':
      return createAiderReader();
    case 'custom':
      return { feed: () => {}, end: () => ({}) };
  }
  // Every kind is handled above: a new one in AGENT_KINDS does not compile until it is.
  const unhandled: never = kind;
  return unhandled;
}
