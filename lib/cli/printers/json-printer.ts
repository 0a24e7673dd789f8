import type { EngineEvent } from '../../engine/events.js';

/** `--json`: one engine event per line, as it happens. */
export function jsonPrinter(stream: NodeJS.WritableStream): (event: EngineEvent) => void {
  return (event) => {
    stream.write(`${JSON.stringify({ ...event, at: new Date(event.at).toISOString() })}\n`);
  };
}
