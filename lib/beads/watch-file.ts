import { watch } from 'node:fs';
import path from 'node:path';

/**
 * Calls `onChange` when the tracker file may have changed. The folder is watched, not the file:
 * `bd`, editors and chorus itself replace the file by renaming a new one over it, which a watch
 * on the old file would never see. Events come in bursts; they are folded into one call per `settleMs`.
 */
export function watchTrackerFile(file: string, onChange: () => void, settleMs = 50): () => void {
  const name = path.basename(file);
  let timer: NodeJS.Timeout | undefined;
  let watcher: ReturnType<typeof watch> | undefined;
  try {
    watcher = watch(path.dirname(file), { persistent: false }, (_event, changed) => {
      if (changed !== null && changed !== name) return;
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        onChange();
      }, settleMs);
    });
    // A folder that goes away or a watch limit reached: chorus still sees others' edits at each of its writes.
    watcher.on('error', () => watcher?.close());
  } catch {
    return () => undefined;
  }
  return () => {
    if (timer) clearTimeout(timer);
    watcher?.close();
  };
}
