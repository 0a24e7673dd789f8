import type { MergeConflict } from './merge-patches.js';

export interface StoreStats {
  writes: number;
  bytesWritten: number;
  /** Writes that found the file changed by someone else and merged. */
  merges: number;
}

/** What a store reports as it writes; `write-error` is how a failed background write surfaces. */
export type StoreEvent =
  | { type: 'written'; path: string; bytes: number; merged: boolean }
  | { type: 'conflict'; path: string; conflict: MergeConflict }
  | { type: 'vanished'; path: string; id: string }
  | { type: 'write-error'; path: string; error: unknown }
  | { type: 'lock-compromised'; path: string; error: Error };

export type StoreListener = (event: StoreEvent) => void;
