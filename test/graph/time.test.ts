import { describe, expect, it } from 'vitest';
import { parseInstant, type Instant } from '../../lib/graph/time.js';

/** The regular-expression-and-Date parser that parseInstant replaced: the reference it must match. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
function referenceParse(text: string): Instant | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const days = month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  if (month < 1 || month > 12 || day < 1 || day > days) return undefined;
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const [oh, om] = [Number(m[10]), Number(m[11])];
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const fraction = (m[7] ?? '').slice(0, 9).padEnd(9, '0');
  return { epochSeconds: date.getTime() / 1000 - offsetMinutes * 60, nanos: Number(fraction) };
}

describe('parseInstant', () => {
  it('reads what the Date-based parser read, and refuses what it refused', () => {
    const fixed = [
      '2026-01-05T09:00:00.000Z', '2025-12-20T03:25:59.727107-08:00', '2026-02-29T00:00:00Z', '2024-02-29T00:00:00Z',
      '1900-02-29T00:00:00Z', '2000-02-29T23:59:60Z', '0000-01-01T00:00:00Z', '0099-03-01t12:00:00z', '9999-12-31 23:59:59+23:59',
      '2026-13-01T00:00:00Z', '2026-04-31T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:60:00Z', '2026-01-01T00:00:61Z',
      '2026-01-01T00:00:00+24:00', '2026-01-01T00:00:00+01:60', '2026-01-01T00:00:00.Z', '2026-01-01T00:00:00.1234567891234Z',
      '2026-01-01T00:00:00', '2026-01-01T00:00:00ZZ', '2026-01-01T00:00:00+0100', '2026-1-01T00:00:00Z', '２０２６-01-01T00:00:00Z',
      '', 'not a date', '2026-01-01T00:00:00-00:00', '1970-01-01T00:00:00-00:01',
    ];
    let state = 7;
    const random = (n: number): number => Math.floor(((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648) * n);
    const pad = (v: number, width: number): string => String(v).padStart(width, '0');
    const generated = Array.from({ length: 5000 }, () => {
      const zone = ['Z', 'z', `+${pad(random(26), 2)}:${pad(random(62), 2)}`, `-${pad(random(26), 2)}:${pad(random(62), 2)}`][random(4)];
      const fraction = random(3) === 0 ? '' : `.${pad(random(1e6), 1 + random(12))}`;
      return `${pad(random(10000), 4)}-${pad(random(14), 2)}-${pad(random(33), 2)}${'Tt '[random(3)]}${pad(random(26), 2)}:${pad(random(62), 2)}:${pad(random(62), 2)}${fraction}${zone}`;
    });
    let valid = 0;
    for (const text of [...fixed, ...generated]) {
      const expected = referenceParse(text);
      if (expected) valid += 1;
      expect(parseInstant(text), text).toEqual(expected);
    }
    expect(valid).toBeGreaterThan(1000);
  });
});
