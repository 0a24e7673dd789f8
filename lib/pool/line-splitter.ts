/**
 * Bytes in, lines out (without their `\n` or `\r\n`), decoded as UTF-8. Memory stays bounded: a
 * line longer than `maxLineBytes` is passed on as its first `maxLineBytes` bytes as soon as it
 * has them, and the rest of it, up to its newline, is dropped.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Inside an over-long line whose start was already passed on. */
  private dropping = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineBytes: number,
  ) {}

  push(bytes: Buffer): void {
    let start = 0;
    while (start < bytes.length) {
      const newline = bytes.indexOf(0x0a, start);
      const end = newline < 0 ? bytes.length : newline;
      this.take(bytes.subarray(start, end));
      if (newline < 0) return;
      this.endLine();
      start = newline + 1;
    }
  }

  /** The last line, when the output did not end with a newline. */
  flush(): void {
    if (this.pendingBytes > 0 && !this.dropping) this.emit();
    this.reset();
  }

  private take(part: Buffer): void {
    if (this.dropping || part.length === 0) return;
    const room = this.maxLineBytes - this.pendingBytes;
    // A copy: the caller reuses its read buffer.
    this.pending.push(Buffer.from(part.subarray(0, room)));
    this.pendingBytes += Math.min(part.length, room);
    if (part.length >= room) {
      this.emit();
      this.dropping = true;
    }
  }

  private endLine(): void {
    if (!this.dropping) this.emit();
    this.reset();
  }

  private emit(): void {
    const bytes = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    const text = bytes.toString('utf8');
    this.onLine(text.endsWith('\r') ? text.slice(0, -1) : text);
    this.pending = [];
    this.pendingBytes = 0;
  }

  private reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.dropping = false;
  }
}
