import { closeQuietly, openVersion, readRange, stampNow } from './disk-version.js';
import { sameStamp, type DiskStamp } from './file-access.js';
import { RetiredInodes } from './retired-inodes.js';

/** How often kept versions of the file are looked at for appended lines. */
const RETIRED_CHECK_MS = 100;
/** At most this many replaced versions are kept open at once. */
const MAX_RETIRED = 128;

/** The descriptor chorus holds on the version of the file its base came from. */
export interface HeldVersion {
  fd: number;
  ino: bigint;
  /** Bytes of this version that base holds. */
  known: number;
  mode: number;
  uid: number;
  gid: number;
}

/**
 * The versions of the tracker file the JSONL store keeps track of: the one its base came from
 * (its stamp, and a descriptor held open on it from the first write), and those that left the
 * path since, kept open a while for lines appended to them (see RetiredInodes).
 */
export class FileVersions {
  /** The file's identity and times when it held base; a match means it need not be read again. */
  stamp: DiskStamp | undefined;
  /** Open on the version of the file base came from (opened at the first write). */
  held: HeldVersion | undefined;
  /** Versions that left the path, watched for appends. */
  private readonly retired: RetiredInodes;
  private retiredTimer: NodeJS.Timeout | undefined;

  /** `onCheck` runs every RETIRED_CHECK_MS while a version is retired, to collect() what was appended. */
  constructor(
    stamp: DiskStamp | undefined,
    retireMs: number,
    private readonly onCheck: () => void,
  ) {
    this.stamp = stamp;
    this.retired = new RetiredInodes({ keepMs: retireMs, max: MAX_RETIRED });
  }

  /**
   * The file as the path names it now: `bytes` null when it is still base (one stat), else read
   * whole through a descriptor that chorus keeps; a descriptor on a version no longer at the path
   * is retired. `stamp` is that of the version the bytes came from.
   */
  current(path: string): { stamp: DiskStamp; bytes: Buffer | null } {
    const seen = stampNow(path);
    if (this.held && this.stamp && this.held.ino === seen.ino && sameStamp(seen, this.stamp)) return { stamp: seen, bytes: null };
    const opened = openVersion(path);
    let held = this.held;
    if (held && held.ino === opened.stamp.ino) {
      closeQuietly(opened.fd);
      Object.assign(held, { mode: opened.mode, uid: opened.uid, gid: opened.gid });
    } else {
      if (held) this.retire(held);
      held = this.held = { fd: opened.fd, ino: opened.stamp.ino, known: 0, mode: opened.mode, uid: opened.uid, gid: opened.gid };
    }
    if (this.stamp && sameStamp(opened.stamp, this.stamp)) {
      held.known = Number(opened.stamp.size);
      return { stamp: opened.stamp, bytes: null };
    }
    const bytes = readRange(held.fd, 0, Number(opened.stamp.size));
    held.known = bytes.length;
    return { stamp: opened.stamp, bytes };
  }

  retire(held: HeldVersion): void {
    this.retired.retire(held.fd, held.known, performance.now());
    if (!this.retiredTimer) {
      this.retiredTimer = setInterval(() => this.onCheck(), RETIRED_CHECK_MS);
      // A store left open must not keep the process alive; close() takes a last look.
      this.retiredTimer.unref();
    }
  }

  /** Lines appended to retired versions since the last look (see RetiredInodes.collect). */
  collect(): Buffer[] {
    if (this.retired.count === 0) return [];
    const found = this.retired.collect(performance.now());
    if (this.retired.count === 0) this.stopRetiredTimer();
    return found;
  }

  /** The last look at the retired versions, partial lines included; closes them. */
  closeRetired(): Buffer[] {
    return this.retired.closeAll();
  }

  /** Closes every descriptor and stops looking. */
  release(): void {
    this.stopRetiredTimer();
    this.retired.closeAll();
    if (this.held) closeQuietly(this.held.fd);
    this.held = undefined;
  }

  private stopRetiredTimer(): void {
    if (this.retiredTimer) clearInterval(this.retiredTimer);
    this.retiredTimer = undefined;
  }
}
