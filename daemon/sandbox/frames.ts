import {deserialize, serialize} from 'node:v8';

/**
 * The channel between the daemon and a sandbox, in frames: a 4-byte length, then the message
 * as V8 serializes it (what Node's `advanced` IPC carries). Node's own IPC takes a message of
 * any size into the daemon's memory before anyone sees it; here a frame's length is read first,
 * and one past the cap is refused before its bytes are held. Used by both ends.
 */

/** Largest message either end sends: a task's result (16 MiB) or a step's, with room for the rest. */
export const MAX_FRAME_BYTES = 24 * 1024 * 1024;
const HEADER_BYTES = 4;

export function frame(message: unknown): Buffer {
  const body = serialize(message);
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

/** Reads frames off a stream's chunks; past the cap it stops for good and says how long the frame claimed to be. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private refused = false;

  constructor(
    private readonly onMessage: (message: unknown) => void,
    private readonly onTooLarge: (bytes: number) => void,
    private readonly maxBytes = MAX_FRAME_BYTES,
  ) {}

  push(chunk: Buffer): void {
    if (this.refused) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= HEADER_BYTES) {
      const head = this.peek(HEADER_BYTES);
      const length = head.readUInt32BE(0);
      if (length > this.maxBytes) {
        this.refused = true;
        this.chunks = [];
        return this.onTooLarge(length);
      }
      if (this.buffered < HEADER_BYTES + length) return;
      const whole = this.take(HEADER_BYTES + length);
      this.onMessage(deserialize(whole.subarray(HEADER_BYTES)));
    }
  }

  private peek(bytes: number): Buffer {
    if (this.chunks[0]!.length >= bytes) return this.chunks[0]!;
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined;
  }

  private take(bytes: number): Buffer {
    const joined = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = joined.length > bytes ? [joined.subarray(bytes)] : [];
    this.buffered -= bytes;
    return joined.subarray(0, bytes);
  }
}
