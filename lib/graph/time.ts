/**
 * RFC 3339 instants as Beads writes them: `Z` or a numeric offset, 0-9 fractional digits.
 * Kept as whole seconds plus nanoseconds because a double of epoch milliseconds cannot
 * order two timestamps that differ by less than a microsecond.
 */
export interface Instant {
  epochSeconds: number;
  nanos: number;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Parses an RFC 3339 timestamp; `undefined` when it is not one (or names no real date). */
export function parseInstant(text: string): Instant | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number, number, number, number, number, number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  // Second 60 is a leap second; it lands on the next minute, which keeps the order right.
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const fraction = (m[7] ?? '').slice(0, 9).padEnd(9, '0');
  return { epochSeconds: date.getTime() / 1000 - offsetMinutes * 60, nanos: Number(fraction) };
}

export function compareInstants(a: Instant, b: Instant): number {
  return a.epochSeconds - b.epochSeconds || a.nanos - b.nanos;
}

/** Milliseconds since the epoch (sub-millisecond digits kept as a fraction). */
export function instantToMs(instant: Instant): number {
  return instant.epochSeconds * 1000 + instant.nanos / 1e6;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
