export type JsonObject = Record<string, unknown>;

/**
 * How many characters the recovery scan of one line may look at in all. A line is at most what
 * the log follower passes on (1 MiB); the scan restarts at each `{` it cannot close, so a long
 * broken line could otherwise cost its length times its braces.
 */
const SCAN_BUDGET = 4 * 1024 * 1024;

/**
 * The JSON objects in one output line, in the order they start. A well-formed line is one object.
 * A line with another event written into its middle (claude has been seen writing a
 * `rate_limit_event` inside another line) is read as both: the balanced top-level objects the
 * scan finds, and the line they were written into once they are cut out, when that parses. Lines
 * with no object (text, a cut-off line) give none. Never throws.
 */
export function readJsonObjects(line: string): JsonObject[] {
  const first = line.indexOf('{');
  if (first < 0) return [];
  const whole = parseObject(line.trim());
  if (whole) return [whole];
  return recoverObjects(line, first);
}

interface Found {
  start: number;
  end: number;
  value: JsonObject;
}

function recoverObjects(line: string, first: number): JsonObject[] {
  const found: Found[] = [];
  let budget = SCAN_BUDGET;
  let at = first;
  while (at >= 0 && budget > 0) {
    const { end, scanned } = closingBrace(line, at, budget);
    budget -= scanned;
    const value = end > 0 ? parseObject(line.slice(at, end)) : undefined;
    if (value) {
      budget -= end - at;
      found.push({ start: at, end, value });
      at = line.indexOf('{', end);
    } else {
      at = line.indexOf('{', at + 1);
    }
  }
  // The object another was written into: the line without the spliced one. Its own nested
  // objects that the scan found on the way are then parts of it, not events.
  for (const spliced of found) {
    if (spliced.start === first) continue;
    const host = parseObject(`${line.slice(0, spliced.start)}${line.slice(spliced.end)}`.trim());
    if (host) return [host, spliced.value];
  }
  return found.map((entry) => entry.value);
}

/** The index after the `}` that balances the `{` at `start`, string-aware; -1 when the line ends first. */
function closingBrace(text: string, start: number, budget: number): { end: number; scanned: number } {
  let depth = 0;
  let inString = false;
  let escaped = false;
  const limit = Math.min(text.length, start + budget);
  for (let i = start; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (escaped) escaped = false;
      else if (c === 0x5c) escaped = true;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b) {
      depth += 1;
    } else if (c === 0x7d) {
      depth -= 1;
      if (depth === 0) return { end: i + 1, scanned: i + 1 - start };
    }
  }
  return { end: -1, scanned: limit - start };
}

function parseObject(text: string): JsonObject | undefined {
  if (!text.startsWith('{') || !text.endsWith('}')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}
