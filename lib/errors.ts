/**
 * Every error chorus raises on purpose carries a stable `code` (CHORUS_*), a message
 * that names the file, line, option or task involved, and the original error as `cause`.
 * Only bin/ turns these into exit codes and printed text.
 */
export class ChorusError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChorusError';
    this.code = code;
  }
}

/** Bad command-line usage or configuration: exit code 2. */
export class UsageError extends ChorusError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'UsageError';
  }
}

/** Problems reading or writing the Beads tracker. */
export class StoreError extends ChorusError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'StoreError';
  }
}

/** Errors cross thread boundaries as plain data: a posted Error loses its class and code. */
export interface SerializedError {
  name: string;
  code?: string;
  message: string;
  stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(error.stack ? { stack: error.stack } : {}),
    };
  }
  return { name: 'Error', message: String(error) };
}
