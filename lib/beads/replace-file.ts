import { fchmod, fchown, fstatSync, fsync, open, renameSync, unlink, write } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { closeQuietly, stampNow, stampOf } from './disk-version.js';
import { sameStamp, type DiskStamp } from './file-access.js';
import { StoreError } from '../errors.js';
import { StoreWriteError } from './write-error.js';

const openAsync = promisify(open);
const writeAsync = promisify(write);
const fsyncAsync = promisify(fsync);
const fchmodAsync = promisify(fchmod);
const fchownAsync = promisify(fchown);
const unlinkAsync = promisify(unlink);

/** A fully written, fsynced temp file next to the tracker, still open (read-write). */
export interface TempFile {
  path: string;
  fd: number;
  ino: bigint;
  size: number;
}

let counter = 0;

/**
 * Writes `bytes` to a new temp file in the tracker's folder (a rename is atomic only within one
 * file system) with the given mode and owner, and fsyncs it. On any failure the temp file is
 * removed and a StoreWriteError names the reason (ENOSPC, EROFS, ...): the tracker is untouched.
 * When `stale()` says, just before the fsync (the slow part), that the bytes are out of date
 * already, the temp file is removed and the result is null.
 */
export async function writeTemp(
  trackerPath: string,
  bytes: Buffer,
  like: { mode: number; uid: number; gid: number },
  stale: () => boolean = () => false,
): Promise<TempFile | null> {
  const tempPath = path.join(path.dirname(trackerPath), `.${path.basename(trackerPath)}.chorus-${process.pid}-${++counter}.tmp`);
  let fd: number | undefined;
  try {
    // Read-write: after the rename this descriptor is chorus's hold on the version it wrote.
    fd = await openAsync(tempPath, 'wx+', 0o600);
    let done = 0;
    while (done < bytes.length) done += (await writeAsync(fd, bytes, done, bytes.length - done, done)).bytesWritten;
    await fchmodAsync(fd, like.mode);
    if (process.getuid?.() === 0 && (like.uid !== 0 || like.gid !== 0)) await fchownAsync(fd, like.uid, like.gid).catch(() => undefined);
    if (stale()) {
      await discardTemp({ path: tempPath, fd, ino: 0n, size: 0 });
      return null;
    }
    await fsyncAsync(fd);
    return { path: tempPath, fd, ino: fstatSync(fd, { bigint: true }).ino, size: bytes.length };
  } catch (error) {
    if (fd !== undefined) closeQuietly(fd);
    await unlinkAsync(tempPath).catch(() => undefined);
    throw new StoreWriteError(trackerPath, error);
  }
}

export async function discardTemp(temp: TempFile): Promise<void> {
  closeQuietly(temp.fd);
  await unlinkAsync(temp.path).catch(() => undefined);
}

/** What a compare-and-rename found. */
export type RenameOutcome =
  /** Renamed. `stamp` is the tracker's stamp right after, when it still is the bytes written. */
  | { renamed: true; stamp: DiskStamp | undefined; windowNs: bigint }
  /** Not renamed: the tracker is no longer the version the temp file was merged from. */
  | { renamed: false; seen: DiskStamp };

/** A look that took longer than this (the process was descheduled?) is taken again before the rename. */
const SLOW_LOOK_NS = 200_000n;

/**
 * Renames the temp file over the tracker only if the tracker still is `expected` (or, with
 * `allowGrowth`, that same inode with bytes appended, which the caller recovers later through its
 * descriptor on it). Synchronous from the look to the rename: nothing else in this process runs in
 * between, so another writer can slip in only within those few system calls (`windowNs` is how
 * long they took, an upper bound on that window).
 */
export function renameIfUnchanged(temp: TempFile, trackerPath: string, expected: DiskStamp, allowGrowth: boolean): RenameOutcome {
  let started: bigint;
  try {
    for (let look = 1; ; look++) {
      started = process.hrtime.bigint();
      // Renaming the temp file onto itself changes nothing but takes the folder's lock, so it waits
      // for a rename in the folder already under way: the stat after it sees that rename's result,
      // where a bare stat saw the old file and chorus's rename replaced the new one a moment later.
      renameSync(temp.path, temp.path);
      const seen = stampNow(trackerPath);
      if (!replaceable(seen, expected, allowGrowth)) return { renamed: false, seen };
      // Descheduled between the look and here? Then the look is stale: look again (a few times).
      if (process.hrtime.bigint() - started < SLOW_LOOK_NS || look >= 3) break;
    }
    renameSync(temp.path, trackerPath);
  } catch (error) {
    throw error instanceof StoreError ? error : new StoreWriteError(trackerPath, error);
  }
  const windowNs = process.hrtime.bigint() - started;
  // The stamp of what was renamed, re-read at once: a writer in the microseconds since would be
  // taken for chorus, unless it changed the size or the inode.
  const after = stampOf(fstatSync(temp.fd, { bigint: true }));
  const atPath = stampNow(trackerPath);
  const ours = atPath.ino === temp.ino && atPath.size === BigInt(temp.size) && sameStamp(atPath, after);
  return { renamed: true, stamp: ours ? atPath : undefined, windowNs };
}

/** Whether a file found as `seen` may be replaced by bytes merged from `expected`. */
export function replaceable(seen: DiskStamp, expected: DiskStamp, allowGrowth: boolean): boolean {
  return sameStamp(seen, expected) || (allowGrowth && seen.ino === expected.ino && seen.size > expected.size);
}
