import type { EngineEvent } from '../../engine/events.js';
import type { OutputStream } from '../io.js';

/** `--json`: one engine event per line, as it happens. */
export function jsonPrinter(stream: OutputStream): (event: EngineEvent) => void {
  return (event) => {
    stream.write(`${JSON.stringify({ ...event, at: new Date(event.at).toISOString() })}\n`);
  };
}
