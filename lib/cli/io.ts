import { closableOutput, type OutputStream } from './closable-output.js';

export type { OutputStream } from './closable-output.js';

/** Where a command writes. Injected so tests can capture output; bin/ passes the process streams. */
export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Signals chorus reacts to (Ctrl-C, SIGTERM, SIGHUP); bin/ wires them to the process. */
  onInterrupt(handler: () => void): () => void;
  /**
   * The reader of stdout went away (`chorus status | head -1`): what is written after is
   * dropped. A command that would go on for a while (a batch, `logs --follow`) stops.
   */
  onOutputClosed(handler: () => void): () => void;
  /** The terminal, when stdin and stdout both are one: what a full-screen command (the dashboard) draws on and reads keys from. */
  terminal?: { input: NodeJS.ReadStream; output: NodeJS.WriteStream };
}

const INTERRUPTS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export function processIO(): CliIO {
  const stdout = closableOutput(process.stdout, (error) => {
    // A closed pipe is the reader saying "enough"; anything else (a full disk, EIO) is worth a line.
    if (error.code !== 'EPIPE') process.stderr.write(`chorus: cannot write the output any more: ${error.message}\n`);
  });
  // Nothing can be reported once stderr itself is gone; without a listener its EPIPE would end chorus with a stack trace.
  const stderr = closableOutput(process.stderr, () => undefined);
  return {
    stdout,
    stderr,
    onInterrupt(handler) {
      // SIGHUP: the terminal closed. The work stops as on Ctrl-C, tasks back to open, agents ended.
      for (const signal of INTERRUPTS) process.on(signal, handler);
      return () => {
        for (const signal of INTERRUPTS) process.off(signal, handler);
      };
    },
    onOutputClosed: (handler) => stdout.onClosed(handler),
    ...(process.stdin.isTTY && process.stdout.isTTY ? { terminal: { input: process.stdin, output: process.stdout } } : {}),
  };
}

export function writeLine(stream: OutputStream, line = ''): void {
  stream.write(`${line}\n`);
}
