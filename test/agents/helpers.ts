import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createStreamReader, type StreamReaderOptions } from '../../lib/agents/stream-reader.js';
import type { AgentKind, AgentReport } from '../../lib/agents/report.js';

export const STREAMS = fileURLToPath(new URL('../fixtures/agent-streams/', import.meta.url));

/** The lines of a fixture, without their newlines. */
export function fixtureLines(name: string): string[] {
  const text = readFileSync(`${STREAMS}${name}`, 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Feeds the lines to a reader of this kind, then ends it with the exit code. */
export function readLines(kind: AgentKind, lines: readonly string[], exitCode: number | null = 0, options: StreamReaderOptions = {}): AgentReport {
  const reader = createStreamReader(kind, options);
  for (const line of lines) reader.feed(line);
  return reader.end({ exitCode, signal: null });
}

export function readFixture(kind: AgentKind, name: string, exitCode: number | null = 0, options: StreamReaderOptions = {}): AgentReport {
  return readLines(kind, fixtureLines(name), exitCode, options);
}
