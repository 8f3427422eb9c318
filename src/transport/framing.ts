import {CapsuleError} from '../lib/errors.js';

/**
 * Splits a byte stream into newline-delimited JSON messages. JSON.stringify never emits a
 * raw newline, so "\n" is a safe delimiter. A message that grows past `maxBytes` before its
 * newline arrives is refused, so one client cannot make the daemon buffer without bound.
 */
export class LineDecoder {
  private pending: Buffer[] = [];
  #pendingBytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Bytes held for a message whose newline has not arrived yet. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Returns the complete lines in `chunk` (without their newline); keeps the tail. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    let newline = chunk.indexOf(0x0a, start);
    while (newline !== -1) {
      const piece = chunk.subarray(start, newline);
      this.ensureRoom(piece.length);
      if (this.pending.length === 0) {
        lines.push(piece.toString('utf8'));
      } else {
        this.pending.push(piece);
        lines.push(Buffer.concat(this.pending).toString('utf8'));
        this.pending = [];
        this.#pendingBytes = 0;
      }
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) {
      const tail = chunk.subarray(start);
      this.ensureRoom(tail.length);
      this.pending.push(tail);
      this.#pendingBytes += tail.length;
    }
    return lines;
  }

  private ensureRoom(bytes: number): void {
    if (this.#pendingBytes + bytes > this.maxBytes) {
      this.pending = [];
      this.#pendingBytes = 0;
      throw new CapsuleError('message_too_large', `message exceeds the ${this.maxBytes}-byte limit`, {
        hint: 'send smaller inputs (pass large data by file path instead)',
      });
    }
  }
}

export function encodeLine(message: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(message)}\n`, 'utf8');
}
