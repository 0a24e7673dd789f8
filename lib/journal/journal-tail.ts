import { closeSync, fstatSync, openSync, readSync, watch } from 'node:fs';
import path from 'node:path';
import { parseJournal, type JournalEntry } from './entries.js';

/**
 * Reads what the journal gained since the last read, so that following a long run costs its new
 * lines, not the whole file each time. A journal replaced (a compaction renames a new file over
 * it) or cut shorter is read again from its start, and says so.
 */
export class JournalTail {
  #offset = 0;
  #inode: number | null = null;
  /** The start of a line not yet ended (chorus writes whole lines; a reader can still land mid-write). */
  #partial = Buffer.alloc(0);
  /** The last whole line read, which must still end at #offset: a file replaced can reuse the old one's inode. */
  #last = Buffer.alloc(0);

  constructor(readonly file: string) {}

  read(): { entries: JournalEntry[]; restarted: boolean } {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return { entries: [], restarted: false }; // no journal (yet): nothing to follow
    }
    try {
      const stat = fstatSync(fd);
      const restarted = this.#inode !== null && (stat.ino !== this.#inode || stat.size < this.#offset || !this.#stillEndsWithLast(fd));
      if (restarted) {
        this.#offset = 0;
        this.#partial = Buffer.alloc(0);
        this.#last = Buffer.alloc(0);
      }
      this.#inode = stat.ino;
      const length = stat.size - this.#offset;
      if (length <= 0) return { entries: [], restarted };
      const chunk = Buffer.alloc(length);
      const got = readSync(fd, chunk, 0, length, this.#offset);
      this.#offset += got;
      const bytes = Buffer.concat([this.#partial, chunk.subarray(0, got)]);
      const end = bytes.lastIndexOf(0x0a) + 1;
      this.#partial = Buffer.from(bytes.subarray(end));
      if (end > 0) this.#last = Buffer.from(bytes.subarray(end >= 2 ? bytes.lastIndexOf(0x0a, end - 2) + 1 : 0, end));
      return { entries: parseJournal(bytes.subarray(0, end).toString('utf8')).entries, restarted };
    } finally {
      closeSync(fd);
    }
  }

  #stillEndsWithLast(fd: number): boolean {
    const length = this.#last.length;
    const at = this.#offset - this.#partial.length - length;
    if (length === 0 || at < 0) return true;
    const now = Buffer.alloc(length);
    return readSync(fd, now, 0, length, at) === length && now.equals(this.#last);
  }
}

/**
 * Calls `onChange` when the journal may have changed: its folder is watched (a compaction renames
 * a new file over it), events folded into one call per `settleMs`. Where the folder cannot be
 * watched, it is looked at every `pollMs` instead.
 */
export function watchJournal(file: string, onChange: () => void, settleMs = 50, pollMs = 1_000): () => void {
  const name = path.basename(file);
  let timer: NodeJS.Timeout | undefined;
  try {
    const watcher = watch(path.dirname(file), { persistent: false }, (_event, changed) => {
      if ((changed !== null && changed !== name) || timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        onChange();
      }, settleMs);
    });
    watcher.on('error', () => watcher.close());
    return () => {
      if (timer) clearTimeout(timer);
      watcher.close();
    };
  } catch {
    const poll = setInterval(onChange, pollMs);
    poll.unref();
    return () => clearInterval(poll);
  }
}
