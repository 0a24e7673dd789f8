import type { IssuesFile } from './issues-file.js';
import type { LineRecord } from './parse-line.js';

/**
 * Where each line sits in the bytes last written, so a write copies the untouched stretches of
 * the old bytes and encodes only the lines that changed. Re-encoding a whole 80 MB tracker on
 * every write cost more than the write itself.
 */
export interface ByteLayout {
  /** Bytes before the first line (a UTF-8 BOM, or none). */
  readonly lead: number;
  /** Byte length of each record's line, EOL included, in record order. */
  readonly lengths: Float64Array;
}

function recordBytes(record: LineRecord): Buffer {
  return record.kind === 'malformed' && record.bytes
    ? Buffer.concat([record.bytes, Buffer.from(record.eol, 'utf8')])
    : Buffer.from(record.text + record.eol, 'utf8');
}

function recordLength(record: LineRecord): number {
  return record.kind === 'malformed' && record.bytes
    ? record.bytes.length + record.eol.length
    : Buffer.byteLength(record.text, 'utf8') + record.eol.length;
}

/** The layout of `bytes`, which must be `file` serialized; undefined when they do not add up. */
export function measureLayout(file: IssuesFile, bytes: Buffer): ByteLayout | undefined {
  const lead = file.bom ? 3 : 0;
  const lengths = new Float64Array(file.records.length);
  let total = lead;
  file.records.forEach((record, index) => {
    lengths[index] = recordLength(record);
    total += lengths[index]!;
  });
  return total === bytes.length ? { lead, lengths } : undefined;
}

/**
 * `file` serialized, given `base` (its bytes before the records in `changed` were edited) and
 * base's layout. Returns the new bytes and their layout; `base` and `layout` are not modified.
 * The bytes go into `spare` when it is big enough (it must not overlap `base`): a tracker of tens
 * of megabytes rewritten again and again then reuses memory already mapped, instead of paying a
 * page fault per 4 KiB of a fresh allocation every time.
 */
export function serializeChanged(
  file: IssuesFile,
  base: Buffer,
  layout: ByteLayout,
  changed: ReadonlySet<number>,
  spare?: Buffer,
): { out: Buffer; layout: ByteLayout } {
  const lengths = layout.lengths.slice();
  const parts: Buffer[] = [];
  let offset = layout.lead;
  let scanned = 0;
  let runStart = 0;
  for (const index of [...changed].sort((a, b) => a - b)) {
    for (; scanned < index; scanned++) offset += layout.lengths[scanned]!;
    const bytes = recordBytes(file.records[index] as LineRecord);
    parts.push(base.subarray(runStart, offset), bytes);
    lengths[index] = bytes.length;
    runStart = offset + layout.lengths[index]!;
  }
  parts.push(base.subarray(runStart));
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const target = spare && spare.length >= total ? spare : Buffer.allocUnsafeSlow(total + headroom(total));
  return { out: concatInto(target, parts, total), layout: { lead: layout.lead, lengths } };
}

/**
 * Room left at the end of a fresh allocation. A batch makes the file grow at every write (each
 * close adds its fields), so memory sized exactly to one write is too small for the next and
 * the spare was never reused: every write of an 80 MB tracker paid a fresh allocation's page faults.
 */
function headroom(total: number): number {
  return Math.max(64 * 1024, Math.ceil(total / 32));
}

function concatInto(target: Buffer, parts: readonly Buffer[], total: number): Buffer {
  let at = 0;
  for (const part of parts) at += part.copy(target, at);
  return target.subarray(0, total);
}

/**
 * The text (without its EOL) of the lines at `indexes` in `bytes`, whose layout is `layout` and
 * whose records' EOLs are those of `records` (an edit never changes a line's EOL).
 */
export function lineTextsAt(bytes: Buffer, layout: ByteLayout, records: readonly LineRecord[], indexes: readonly number[]): Map<number, string> {
  const texts = new Map<number, string>();
  let offset = layout.lead;
  let scanned = 0;
  for (const index of [...indexes].sort((a, b) => a - b)) {
    for (; scanned < index; scanned++) offset += layout.lengths[scanned]!;
    const eol = (records[index] as LineRecord).eol.length;
    texts.set(index, bytes.toString('utf8', offset, offset + layout.lengths[index]! - eol));
  }
  return texts;
}
