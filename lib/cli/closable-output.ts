/** Where a command writes: the process streams, or a test's capture. */
export interface OutputStream {
  write(chunk: string | Uint8Array): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}


export interface ClosableOutput extends OutputStream {
  readonly closed: boolean;
  /** Called once, when the stream fails or its reader goes away; at once if that already happened. */
  onClosed(handler: () => void): () => void;
}

/**
 * A process stream as commands see it. When the reader of a pipe goes away (`chorus status |
 * head -1`) Node reports EPIPE as an 'error' event, which, unhandled, ends the process with a
 * stack trace. Here any error on the stream marks it closed instead: later writes are dropped
 * and the listeners are told, once.
 */
export function closableOutput(stream: NodeJS.WriteStream, onError: (error: NodeJS.ErrnoException) => void): ClosableOutput {
  let closed = false;
  const handlers = new Set<() => void>();
  const close = () => {
    if (closed) return;
    closed = true;
    for (const handler of [...handlers]) handler();
    handlers.clear();
  };
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (!closed) onError(error);
    close();
  });
  return {
    write(chunk) {
      // A failed write destroys the stream at once but reports it a tick later: check both.
      if (closed || stream.destroyed) return false;
      return stream.write(chunk);
    },
    get isTTY() {
      return stream.isTTY === true;
    },
    get columns() {
      return stream.columns;
    },
    get closed() {
      return closed || stream.destroyed;
    },
    onClosed(handler) {
      if (closed) {
        handler();
        return () => undefined;
      }
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
}
