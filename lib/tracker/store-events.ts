import type { TaskPatch } from '../task/task.js';

/** Someone else closed a task while chorus was about to give it another status; the close won. */
export interface MergeConflict {
  id: string;
  /** The status on disk, which was kept (`closed`). */
  diskStatus: string;
  /** The status chorus's patches would have set. */
  wantedStatus: string;
  /** Chorus's values for the close keys (status, closed_at, close_reason) that were dropped. */
  dropped: TaskPatch;
}


export interface StoreStats {
  writes: number;
  bytesWritten: number;
  /** Writes that found the file changed by someone else and merged. */
  merges: number;
  /** Writes that found the file changed between their read and their rename, and started over. */
  retries: number;
  /** Lines of chorus's put back after a stale copy had replaced them (see LineTrails). */
  reasserted: number;
  /** Lines taken in from versions of the file that had left its path (see RetiredInodes), or handed over by append(). */
  recoveredLines: number;
  /** The longest a stat-then-rename took, in ns: the window another writer's change could fall into unseen. */
  maxRenameWindowNs: number;
}

/** What a store reports as it writes; `write-error` is how a failed background write surfaces. */
export type StoreEvent =
  | { type: 'written'; path: string; bytes: number; merged: boolean }
  | { type: 'conflict'; path: string; conflict: MergeConflict }
  | { type: 'vanished'; path: string; id: string }
  /**
   * A write failed; the file is as it was and the updates stay pending. `error` is a StoreError:
   * a StoreWriteError (code CHORUS_STORE_WRITE_FAILED, `reason` ENOSPC, EROFS, ...) when the disk
   * refused the bytes.
   */
  | { type: 'write-error'; path: string; error: unknown }
  /** Someone renamed a stale copy over the file, dropping chorus's lines for these tasks: they were written again. */
  | { type: 'reasserted'; path: string; ids: string[] }
  /** Lines appended to a version of the file after it left the path (or handed over by append()), taken into the file. */
  | { type: 'recovered'; path: string; lines: number }
  | { type: 'lock-compromised'; path: string; error: Error };

export type StoreListener = (event: StoreEvent) => void;
