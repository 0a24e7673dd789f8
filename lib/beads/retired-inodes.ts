import { fstatSync } from 'node:fs';
import { closeQuietly, readRange } from './disk-version.js';

/**
 * Versions of the tracker that no longer sit at its path (chorus renamed a new file over them, or
 * someone else did), kept open for a while. A writer that opened the file before that rename and
 * appends after it (`>>`, O_APPEND) writes into the old inode, where nobody would ever read it
 * again; chorus reads those bytes through the descriptor it kept and merges them as appended lines.
 */
interface Retired {
  fd: number;
  /** Bytes of this version chorus has merged (or already taken from here): anything past it is new. */
  known: number;
  /** performance.now() after which the version is read one last time and closed. */
  until: number;
}

export interface RetiredOptions {
  /** How long a replaced version is watched after it left the path. */
  keepMs: number;
  /** At most this many are watched; the oldest is read a last time and closed first. */
  max: number;
}

export class RetiredInodes {
  private readonly kept: Retired[] = [];

  constructor(private readonly options: RetiredOptions) {}

  get count(): number {
    return this.kept.length;
  }

  /** Starts watching `fd`, of which chorus has merged the first `known` bytes; the descriptor is now this object's to close. */
  retire(fd: number, known: number, now: number): void {
    this.kept.push({ fd, known, until: now + this.options.keepMs });
    while (this.kept.length > this.options.max) this.finish(this.kept.shift() as Retired, []);
  }

  /**
   * Bytes appended to any kept version since it was last looked at, whole lines only (a line
   * still being written is left for the next look), as one buffer of lines per version. Versions
   * past their time are read to the end, partial line included, and closed.
   */
  collect(now: number): Buffer[] {
    const found: Buffer[] = [];
    for (let i = 0; i < this.kept.length; ) {
      const version = this.kept[i] as Retired;
      if (now >= version.until) {
        this.finish(version, found);
        this.kept.splice(i, 1);
        continue;
      }
      if (!this.take(version, found, false)) {
        // Shrunk: rewritten in place after it left the path. Not appends; nothing to follow.
        closeQuietly(version.fd);
        this.kept.splice(i, 1);
        continue;
      }
      i++;
    }
    return found;
  }

  /** Reads every kept version a last time (partial lines included) and closes them all. */
  closeAll(): Buffer[] {
    const found: Buffer[] = [];
    for (const version of this.kept.splice(0)) this.finish(version, found);
    return found;
  }

  private finish(version: Retired, found: Buffer[]): void {
    this.take(version, found, true);
    closeQuietly(version.fd);
  }

  /** Adds what was appended past `known` to `found`; false when the version shrank below it. */
  private take(version: Retired, found: Buffer[], partialToo: boolean): boolean {
    let size: number;
    try {
      size = Number(fstatSync(version.fd).size);
    } catch {
      return false;
    }
    if (size < version.known) return false;
    if (size === version.known) return true;
    const tail = readRange(version.fd, version.known, size - version.known);
    const end = partialToo ? tail.length : tail.lastIndexOf(0x0a) + 1;
    if (end > 0) {
      found.push(Buffer.from(tail.subarray(0, end)));
      version.known += end;
    }
    return true;
  }
}
