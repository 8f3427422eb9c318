/** A longer line is cut here, so a service printing a huge line cannot grow the daemon's memory. */
export const MAX_LINE_BYTES = 16 * 1024;

/**
 * Splits a byte stream into lines, holding at most `maxLineBytes` of an unfinished line. A
 * longer line keeps its start and says how much was cut.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private held = 0;
  private dropped = 0;

  constructor(private readonly maxLineBytes = MAX_LINE_BYTES) {}

  /** The lines this chunk completes. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(10, start);
      this.keep(chunk.subarray(start, newline === -1 ? chunk.length : newline));
      if (newline === -1) break;
      lines.push(this.take());
      start = newline + 1;
    }
    return lines;
  }

  /** The unfinished last line, if any, once the stream has ended. */
  flush(): string | null {
    return this.held > 0 || this.dropped > 0 ? this.take() : null;
  }

  private keep(piece: Buffer): void {
    const room = this.maxLineBytes - this.held;
    const kept = Math.min(room, piece.length);
    // Copied, so a short remainder does not pin the whole chunk it came in.
    if (kept > 0) this.parts.push(Buffer.from(piece.subarray(0, kept)));
    this.held += kept;
    this.dropped += piece.length - kept;
  }

  private take(): string {
    let text = Buffer.concat(this.parts).toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (this.dropped > 0) text += ` …[${this.dropped} bytes cut]`;
    this.parts = [];
    this.held = 0;
    this.dropped = 0;
    return text;
  }
}
