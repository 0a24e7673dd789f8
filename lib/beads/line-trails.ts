import { lineIndexOf, type IssuesFile } from './issues-file.js';
import { parseLine, type TaskRecord } from './parse-line.js';

/**
 * For each task chorus wrote: the line it wrote last and every earlier version of that line its
 * writes replaced, in one unbroken chain (each write started from the line the previous one
 * wrote). That tells a stale copy from an edit: a tool that read the tracker before chorus's write
 * and renamed its copy over it afterwards puts back, byte for byte, a version chorus had replaced;
 * anyone who changed the line in any other way made an edit of their own.
 */
interface Trail {
  written: string;
  replaced: Set<string>;
  /** performance.now() of chorus's last write of the line. */
  at: number;
}

/** What a merge found on the lines chorus had written. */
export interface TrailCheck {
  /** Stale copies of chorus's lines, put back to what chorus wrote. */
  reasserted: string[];
  /** Lines someone else changed (or removed) since chorus wrote them: theirs stand. */
  theirs: string[];
}

export class LineTrails {
  /** In order of last write, oldest first (a write moves its task to the end). */
  private readonly trails = new Map<string, Trail>();

  /** `keepMs`: a line chorus has not written for this long is no longer watched for stale copies. */
  constructor(private readonly keepMs: number) {}

  /** Chorus replaced `before` with `after` on task `id`'s line. */
  record(id: string, before: string, after: string, now: number): void {
    let trail = this.trails.get(id);
    if (!trail || trail.written !== before) trail = { written: before, replaced: new Set(), at: now };
    if (before !== after) {
      trail.replaced.add(before);
      trail.replaced.delete(after);
      trail.written = after;
    }
    trail.at = now;
    this.trails.delete(id);
    this.trails.set(id, trail);
    this.prune(now);
  }

  forget(id: string): void {
    this.trails.delete(id);
  }

  get size(): number {
    return this.trails.size;
  }

  /**
   * Looks at every line chorus wrote in `file` (a version someone else wrote): one equal to a
   * version chorus had replaced gets chorus's line back, in place, in `file`. Changes nothing in
   * the trails themselves: the caller forgets `theirs` once its write is through.
   */
  check(file: IssuesFile): TrailCheck {
    const result: TrailCheck = { reasserted: [], theirs: [] };
    for (const [id, trail] of this.trails) {
      const index = lineIndexOf(file, id);
      const record = index === undefined ? undefined : file.records[index];
      if (index === undefined || record?.kind !== 'task') {
        result.theirs.push(id);
        continue;
      }
      if (record.text === trail.written) continue;
      if (!trail.replaced.has(record.text)) {
        result.theirs.push(id);
        continue;
      }
      const next = parseLine(trail.written, record.eol) as TaskRecord;
      file.records[index] = next;
      file.tasks.set(id, next.task);
      result.reasserted.push(id);
    }
    return result;
  }

  private prune(now: number): void {
    for (const [id, trail] of this.trails) {
      if (now - trail.at < this.keepMs) return;
      this.trails.delete(id);
    }
  }
}
