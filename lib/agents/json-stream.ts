import { readJsonObjects, type JsonObject } from './json-objects.js';
import type { AgentExit, AgentReport, StreamReader } from './report.js';

/** One agent's reading of its events; `jsonLineReader` does the lines, the splicing and the never-throwing. */
export interface EventReader {
  /** One event. True when it is of a type this agent writes (read or deliberately ignored); false counts it as skipped. */
  event(event: JsonObject): boolean;
  /** A line with no JSON object in it (stderr text, say). True when it was used. */
  text?(line: string): boolean;
  /** See StreamReader.endNow. */
  endNow?(): boolean;
  end(exit: AgentExit): AgentReport;
}

/**
 * A StreamReader over JSON lines: each line's objects (a line with another event spliced into it
 * gives both) go to `reader.event` in order; unknown types are skipped, not errors. A bug in a
 * reader costs that event, never the run: nothing here throws.
 */
export function jsonLineReader(reader: EventReader): StreamReader {
  let skipped = 0;
  return {
    ...(reader.endNow ? { endNow: () => reader.endNow?.() === true } : {}),
    feed(line) {
      try {
        const objects = readJsonObjects(line);
        if (objects.length === 0) {
          if (line.trim() !== '' && !reader.text?.(line)) skipped += 1;
          return;
        }
        let known = false;
        for (const object of objects) {
          try {
            if (reader.event(object)) known = true;
          } catch {
            // A shape the reader did not expect: this event is lost, the others are read.
          }
        }
        if (!known) skipped += 1;
      } catch {
        skipped += 1;
      }
    },
    end(exit) {
      let report: AgentReport;
      try {
        report = reader.end(exit);
      } catch {
        report = {};
      }
      return skipped > 0 ? { ...report, skippedLines: skipped } : report;
    },
  };
}
