import { closeSync, fstatSync, openSync, readSync, statSync, type BigIntStats } from 'node:fs';
import { StoreError } from '../errors.js';
import type { DiskStamp } from './file-access.js';
import { errnoCode } from './write-error.js';

export function stampOf(stats: BigIntStats): DiskStamp {
  return { ino: stats.ino, size: stats.size, mtimeNs: stats.mtimeNs, ctimeNs: stats.ctimeNs };
}

/** The stamp of whatever the path names now, synchronously (no other code runs before it returns). */
export function stampNow(trackerPath: string): DiskStamp {
  try {
    return stampOf(statSync(trackerPath, { bigint: true }));
  } catch (error) {
    throw notReadable(trackerPath, error);
  }
}

/** An open descriptor on one version (inode) of the tracker, and its stamp when opened. */
export interface OpenVersion {
  fd: number;
  stamp: DiskStamp;
  /** The file's mode and owner, for the next version to keep. */
  mode: number;
  uid: number;
  gid: number;
}

/** Opens what the path names now. The descriptor keeps that inode readable whatever later replaces it. */
export function openVersion(trackerPath: string): OpenVersion {
  let fd: number;
  try {
    fd = openSync(trackerPath, 'r');
  } catch (error) {
    throw notReadable(trackerPath, error);
  }
  const stats = fstatSync(fd, { bigint: true });
  return { fd, stamp: stampOf(stats), mode: Number(stats.mode & 0o7777n), uid: Number(stats.uid), gid: Number(stats.gid) };
}

/**
 * Reads `length` bytes from `position` of an open file with positioned reads (the descriptor's
 * own offset is never used, so the same descriptor can be read again later). Returns fewer bytes
 * when the file is shorter than that by now.
 */
export function readRange(fd: number, position: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const read = readSync(fd, out, done, length - done, position + done);
    if (read === 0) break;
    done += read;
  }
  return done === length ? out : out.subarray(0, done);
}

export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed, or the descriptor is gone with its file system: nothing to keep
  }
}

function notReadable(trackerPath: string, error: unknown): StoreError {
  if (errnoCode(error) === 'ENOENT') return new StoreError('CHORUS_STORE_NOT_FOUND', `Beads file not found: ${trackerPath}`, { cause: error });
  return new StoreError('CHORUS_STORE_UNREADABLE', `cannot read Beads file ${trackerPath}: ${(error as Error).message}`, { cause: error });
}
