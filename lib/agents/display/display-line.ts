import { stripAnsi } from '../fields.js';
import { readJsonObjects, type JsonObject } from '../json-objects.js';
import type { AgentKind } from '../report.js';
import { showAiderLine } from './aider.js';
import { showClaudeEvent } from './claude.js';
import { showCodexEvent } from './codex.js';
import { showGeminiEvent } from './gemini.js';
import type { DisplayOptions, Shown } from './shown.js';

/**
 * What a person reads for one line of an agent's output (no line end), by the agent that wrote
 * it: for a preset that writes JSON events, what each event says (none for an event of no
 * interest or of a type it does not know: skipped, never dumped); its text lines (what it wrote
 * on stderr, chorus's attempt headers) as they are. `custom` agents are a black box: their lines
 * show as they are. Never throws.
 */
export function displayLine(kind: AgentKind, line: string, options: DisplayOptions = {}): Shown[] {
  switch (kind) {
    case 'claude':
      return eventsOf(line, (event) => showClaudeEvent(event, options));
    case 'codex':
      return eventsOf(line, (event) => showCodexEvent(event, options));
    case 'gemini':
      return eventsOf(line, (event) => showGeminiEvent(event, options));
    case 'aider':
      return showAiderLine(line);
    case 'custom':
      return [line];
  }
  // Every kind is handled above: a new one in AGENT_KINDS does not compile until it is.
  const unhandled: never = kind;
  return unhandled;
}

/**
 * Each JSON object of the line (a line with another event spliced into it gives both), shown in
 * order. A line that starts as JSON but does not parse (cut off by a crash, a tail's window) is
 * skipped, not shown as text: it is an event, and its bytes are no reading.
 */
function eventsOf(line: string, show: (event: JsonObject) => Shown[]): Shown[] {
  const objects = readJsonObjects(line);
  if (objects.length === 0) {
    const text = stripAnsi(line).trimEnd();
    return text.trim() === '' || text.trimStart().startsWith('{') ? [] : [text];
  }
  return objects.flatMap((event) => {
    try {
      return show(event);
    } catch {
      // A shape this reading did not expect: that event shows nothing, the others do.
      return [];
    }
  });
}
