export { BeadsStore, type BeadsStoreOptions } from './store.js';
export type { StoreEvent, StoreListener, StoreStats } from '../tracker/store-events.js';
export { planWrite, type WritePlan } from './plan-write.js';
export {
  applyTaskPatch,
  parseIssuesBytes,
  parseIssuesText,
  serializeIssuesFile,
  type IssuesFile,
  type LoadProblem,
} from './issues-file.js';
export { parseLine, type Eol, type LineRecord, type TaskRecord } from './parse-line.js';
export { normalizeTask } from './normalize-task.js';
export { patchObjectText } from './json-edit.js';
export { scanObject } from './json-scan.js';
export { CLOSE_KEYS, mergePatches, type MergeConflict, type MergeOutcome, type PendingPatch } from './merge-patches.js';
export { StoreWriteError } from './write-error.js';
export { DEFAULT_LOCK_RETRIES, DEFAULT_LOCK_STALE_MS, type LockRetryOptions } from './file-access.js';
export * from '../task/task.js';
