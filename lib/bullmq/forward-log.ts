import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

export interface LogForwarder {
  /** Sends what is left (the run is over), then stops. */
  finish(): Promise<void>;
  stop(): void;
}

const CHUNK = 256 * 1024;

/**
 * Sends the bytes appended to `logPath` from now on to `send`, in order, as they come (a poll of
 * its size every `pollMs`): a worker's copy of a task's log, for the leader's. The file may not
 * exist yet (the run writes its header first).
 */
export function forwardLog(logPath: string, send: (bytes: Buffer) => void, pollMs = 100): LogForwarder {
  let position = sizeOf(logPath);
  let fd: number | undefined;
  const buffer = Buffer.alloc(CHUNK);
  const pump = (): void => {
    try {
      fd ??= openSync(logPath, 'r');
    } catch {
      return; // not there yet
    }
    for (;;) {
      const size = fstatSync(fd).size;
      if (size < position) position = size;
      if (size === position) return;
      const read = readSync(fd, buffer, 0, Math.min(CHUNK, size - position), position);
      if (read <= 0) return;
      position += read;
      send(Buffer.from(buffer.subarray(0, read)));
    }
  };
  const timer = setInterval(pump, pollMs);
  const stop = (): void => {
    clearInterval(timer);
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  return {
    async finish() {
      pump();
      stop();
    },
    stop,
  };
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
