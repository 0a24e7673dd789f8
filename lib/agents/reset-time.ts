/**
 * Reset times that agents give only as text. Claude's `resetsAt` is a number and never goes
 * through here; codex and gemini print theirs for people, so this is the only way to read them.
 */

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };

/** `2h52m39s`, `39s`, `10m15s`, `539.477544ms` (gemini's quota text) in ms; undefined unless the whole text is one. */
export function parseCompactDuration(text: string): number | undefined {
  const parts = /^(?:\d+(?:\.\d+)?(?:ms|d|h|m|s))+$/.test(text) ? text.matchAll(/(\d+(?:\.\d+)?)(ms|d|h|m|s)/g) : [];
  let total: number | undefined;
  for (const [, amount, unit] of parts) total = (total ?? 0) + Number(amount) * UNIT_MS[unit!]!;
  return total === undefined ? undefined : Math.round(total);
}

const WORD_UNIT_MS: Record<string, number> = { day: 86_400_000, hour: 3_600_000, minute: 60_000, min: 60_000, second: 1_000, sec: 1_000 };

/** `2 hours 3 minutes`, `1 day, 4 hours`, `5 mins` in ms; undefined when no amount and unit are found. */
export function parseWordDuration(text: string): number | undefined {
  let total: number | undefined;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)\s*(day|hour|minute|min|second|sec)s?\b/gi)) {
    total = (total ?? 0) + Number(amount) * WORD_UNIT_MS[unit!.toLowerCase()]!;
  }
  return total === undefined ? undefined : Math.round(total);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * When codex says its usage limit resets, in epoch ms, or null. Codex formats the reset in the
 * machine's local time zone and names no zone: `try again at 4:20 PM` (today: read as the next
 * 4:20 PM local time after `now`), `try again at Nov 26th, 2025 4:20 PM` (another day), and older
 * versions `try again in 2 hours 3 minutes`. `Try again later.` has no time.
 */
export function codexResetAt(text: string, now: number): number | null {
  const dated = /try again at ([A-Za-z]{3})[a-z]* (\d{1,2})(?:st|nd|rd|th)?,? (\d{4}),? (\d{1,2}):(\d{2}) ?([AP]M)/i.exec(text);
  if (dated) {
    const month = MONTHS.indexOf(dated[1]!.toLowerCase());
    const day = Number(dated[2]);
    const hours = to24h(Number(dated[4]), dated[6]!);
    const minutes = Number(dated[5]);
    if (month < 0 || day < 1 || day > 31 || hours === undefined || minutes > 59) return null;
    return new Date(Number(dated[3]), month, day, hours, minutes).getTime();
  }
  const clock = /try again at (\d{1,2}):(\d{2}) ?([AP]M)?/i.exec(text);
  if (clock) {
    const hours = clock[3] ? to24h(Number(clock[1]), clock[3]) : Number(clock[1]);
    const minutes = Number(clock[2]);
    if (hours === undefined || hours > 23 || minutes > 59) return null;
    const today = new Date(now);
    const at = new Date(today.getFullYear(), today.getMonth(), today.getDate(), hours, minutes);
    if (at.getTime() <= now) at.setDate(at.getDate() + 1);
    return at.getTime();
  }
  const within = /try again in ([^.]+)/i.exec(text);
  const ms = within ? parseWordDuration(within[1]!) : undefined;
  return ms === undefined ? null : now + ms;
}

/** `4 PM` → 16, `12 AM` → 0; undefined for an hour a 12-hour clock does not show. */
function to24h(hours: number, meridiem: string): number | undefined {
  if (hours < 1 || hours > 12) return undefined;
  return (hours % 12) + (meridiem.toUpperCase() === 'PM' ? 12 : 0);
}
