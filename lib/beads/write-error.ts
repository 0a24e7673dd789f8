import path from 'node:path';
import { StoreError } from '../errors.js';

/**
 * A tracker write that failed (the disk is full, the folder is read-only, an I/O error). The file
 * on disk is left as it was: chorus writes a temp file and renames it, and removes the temp file
 * when anything before the rename fails. `reason` is the system's error code (`ENOSPC`, `EROFS`,
 * `EACCES`, `EIO`, ...), so callers can tell a full disk from the rest without parsing text.
 */
export class StoreWriteError extends StoreError {
  readonly reason: string;
  constructor(trackerPath: string, cause: unknown) {
    const reason = errnoCode(cause) ?? 'EUNKNOWN';
    super('CHORUS_STORE_WRITE_FAILED', `cannot write Beads file ${trackerPath}: ${describeReason(trackerPath, reason, cause)}; the file was left as it was`, { cause });
    this.name = 'StoreWriteError';
    this.reason = reason;
  }
}

export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function describeReason(trackerPath: string, reason: string, cause: unknown): string {
  const folder = path.dirname(trackerPath);
  switch (reason) {
    case 'ENOSPC':
      return 'no space left on the device (ENOSPC)';
    case 'EDQUOT':
      return 'the disk quota is used up (EDQUOT)';
    case 'EROFS':
      return `its folder ${folder} is on a read-only file system (EROFS)`;
    case 'EACCES':
    case 'EPERM':
      return `its folder ${folder} is not writable (${reason}); chorus writes the tracker through a temp file and a rename there`;
    case 'EFBIG':
      return 'the file would be larger than this process may write (EFBIG)';
    default: {
      const message = (cause as Error | undefined)?.message ?? String(cause);
      return message.includes(reason) ? message : `${message} (${reason})`;
    }
  }
}
