import { StoreError } from '../errors.js';
import { closeQuietly, readRange } from './disk-version.js';

/**
 * The tracker file a read-only load left open: its tasks read their lines back from it when
 * asked for them, instead of holding every line in memory (77 MB for 100,000 tasks). The
 * descriptor keeps the version that was read, even after a writer renames a new file over it.
 */
export class SpanSource {
  #fd: number | undefined;

  constructor(
    fd: number,
    readonly path: string,
  ) {
    this.#fd = fd;
  }

  /** The open descriptor, to read the file through while loading it. */
  get fd(): number {
    if (this.#fd === undefined) throw closedError(this.path);
    return this.#fd;
  }

  /** The bytes at `offset`, decoded; throws when the file is closed or shorter than it was. */
  read(offset: number, length: number): string {
    const bytes = readRange(this.fd, offset, length);
    if (bytes.length !== length) throw changedError(this.path, offset);
    return bytes.toString('utf8');
  }

  close(): void {
    if (this.#fd !== undefined) closeQuietly(this.#fd);
    this.#fd = undefined;
  }
}

/** Where a task's line is in its file: read back, and checked to be that task's line still, when asked for. */
export class LineSpan {
  constructor(
    private readonly source: SpanSource,
    private readonly offset: number,
    private readonly length: number,
  ) {}

  /** The line parsed again; throws when it is no longer the line of task `id` (the file was rewritten in place). */
  parse(id: string): Record<string, unknown> {
    let value: unknown;
    try {
      value = JSON.parse(this.source.read(this.offset, this.length));
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw changedError(this.source.path, this.offset, error);
    }
    const raw = value as Record<string, unknown> | null;
    if (typeof raw !== 'object' || raw === null || raw.id !== id) throw changedError(this.source.path, this.offset);
    return raw;
  }
}

function closedError(path: string): StoreError {
  return new StoreError('CHORUS_STORE_CLOSED', `the read-only copy of ${path} is closed; its tasks' lines cannot be read again`);
}

function changedError(path: string, offset: number, cause?: unknown): StoreError {
  return new StoreError(
    'CHORUS_STORE_CHANGED',
    `${path} was rewritten in place while chorus read it (the line at byte ${offset} is not the one read); run the command again`,
    { cause },
  );
}
