import { formatMachine, type Machine } from '../machine.js';
import type { Row, Status, Unit } from '../row.js';

const STATUS_TEXT: Record<Status, string> = { pass: 'PASS', fail: 'FAIL', error: 'ERROR', skip: 'skip', info: 'info' };

export function formatFigure(value: number | null, unit: Unit, missing: string): string {
  if (value === null || !Number.isFinite(value)) return missing;
  if (unit === 'x') return `${value.toFixed(2)}×`;
  if (unit === '%') return `${value.toFixed(2)}%`;
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}

const atLeast = (row: Row, text: string): string => (row.atLeast && text !== 'n/a' && text !== '—' ? `≥ ${text}` : text);

/** The results as a plain-text table, then a note per row that has one. */
export function formatTable(machine: Machine, mode: string, rows: readonly Row[]): string {
  const header = ['scenario', 'case', 'measure', 'chorus', 'baseline', 'ratio', 'target', 'result'];
  const notes: string[] = [];
  const noteMark = (row: Row): string => {
    if (!row.note) return '';
    notes.push(`[${notes.length + 1}] ${row.scenario}: ${row.note}`);
    return ` [${notes.length}]`;
  };
  const cells = rows.map((row) => [
    row.scenario,
    `${row.case}${noteMark(row)}`,
    row.measure,
    atLeast(row, formatFigure(row.chorus, row.unit, 'n/a')),
    formatFigure(row.baseline, row.unit, '—'),
    atLeast(row, formatFigure(row.ratio, 'x', '—')),
    row.target?.text ?? '— (context)',
    STATUS_TEXT[row.status],
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  return [
    `chorus bench (${mode}) on ${formatMachine(machine)}`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
    ...(notes.length > 0 ? ['', ...notes] : []),
  ].join('\n');
}
