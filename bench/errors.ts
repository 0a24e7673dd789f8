/**
 * Errors the harness raises on purpose: a stable `code` (BENCH_*), a message naming the
 * scenario, file or command involved, and the original error as `cause`. Only run.ts turns
 * them into printed text and an exit code.
 */
export class BenchError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BenchError';
    this.code = code;
  }
}

/** The text of any thrown value, with its code when it has one. */
export function describeError(error: unknown): string {
  if (error instanceof BenchError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
