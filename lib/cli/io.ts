/** Where a command writes. Injected so tests can capture output; bin/ passes the process streams. */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  /** Signals chorus reacts to (Ctrl-C, SIGTERM, SIGHUP); bin/ wires them to the process. */
  onInterrupt(handler: () => void): () => void;
}

const INTERRUPTS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    onInterrupt(handler) {
      // SIGHUP: the terminal closed. The work stops as on Ctrl-C, tasks back to open, agents ended.
      for (const signal of INTERRUPTS) process.on(signal, handler);
      return () => {
        for (const signal of INTERRUPTS) process.off(signal, handler);
      };
    },
  };
}

export function writeLine(stream: NodeJS.WritableStream, line = ''): void {
  stream.write(`${line}\n`);
}
