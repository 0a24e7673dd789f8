import { cell } from '../text.js';

/** A table column as drawn: its name (the key of a row's values), header, width in terminal columns. */
export interface Column {
  name: string;
  header: string;
  width: number;
  align?: 'right';
}

/** A column a table may drop when room is short: the lowest `keep` goes first; without `keep`, never. */
export interface ColumnSpec extends Column {
  keep?: number;
  /** The least it may be narrowed to (the id column), once nothing more can be dropped. */
  least?: number;
}

/** The column that takes the room left (a title, the last output), and the least it must have. */
export interface FlexColumn {
  name: string;
  header: string;
  least: number;
}

/**
 * The columns that fit `width` (one space between two): the fixed ones in their order, then the
 * flexible one with all the room left. While the flexible one would get less than its least,
 * the fixed column with the lowest `keep` is dropped; when none is left to drop, the ones with a
 * `least` are narrowed to it. Only then is the flexible column given less (or left out under 4).
 */
export function fitColumns(fixed: readonly ColumnSpec[], flex: FlexColumn, width: number): Column[] {
  const shown = fixed.map((c) => ({ ...c }));
  const used = () => shown.reduce((n, c) => n + c.width + 1, 0);
  const room = () => width - used();
  while (room() < flex.least) {
    const droppable = shown.filter((c) => c.keep !== undefined);
    if (droppable.length === 0) break;
    const lowest = droppable.reduce((a, b) => (b.keep! < a.keep! ? b : a));
    shown.splice(shown.indexOf(lowest), 1);
  }
  for (const c of shown) {
    const short = flex.least - room();
    if (short <= 0) break;
    if (c.least !== undefined && c.width > c.least) c.width -= Math.min(short, c.width - c.least);
  }
  const left = room();
  const columns: Column[] = shown.map(({ name, header, width: w, align }) => ({ name, header, width: w, ...(align ? { align } : {}) }));
  return left >= 4 ? [...columns, { name: flex.name, header: flex.header, width: left }] : columns;
}

/** The header line of a table: each column's header in its cell. */
export function headerLine(columns: readonly Column[]): string {
  return columns.map((c) => cell(c.header, c.width, c.align === 'right' ? 'right' : 'left')).join(' ');
}
