import {open, stat} from 'node:fs/promises';
import {setTimeout as sleep} from 'node:timers/promises';

/** Reading from the end in blocks of this size keeps `logs -n` cheap on a big file. */
const BLOCK = 64 * 1024;

/**
 * The last `count` non-empty lines of a file ([] if it does not exist), read backwards in blocks
 * so a big file costs only its tail. Splits on bytes, so a multi-byte character cut by a block
 * boundary stays whole.
 */
export async function readLastLines(file: string, count: number): Promise<string[]> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return [];
  }
  try {
    const lines: string[] = [];
    let position = (await handle.stat()).size;
    let carry = Buffer.alloc(0);
    while (position > 0 && lines.length < count) {
      const length = Math.min(BLOCK, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, position);
      const buffer = Buffer.concat([chunk, carry]);
      // Bytes before the first newline may continue a line that starts in an earlier chunk.
      const newline = position > 0 ? buffer.indexOf(10) : -1;
      if (position > 0 && newline === -1) {
        carry = buffer;
        continue;
      }
      carry = buffer.subarray(0, Math.max(0, newline));
      const complete = buffer.subarray(newline + 1).toString('utf8').split('\n').filter((piece) => piece !== '');
      lines.unshift(...complete.slice(Math.max(0, complete.length - (count - lines.length))));
    }
    return lines;
  } finally {
    await handle.close();
  }
}

/**
 * Calls `onText` with whatever is appended to `file` until `signal` aborts. Polls the size:
 * cheap, and unlike fs.watch it survives the file being rotated (a shrink restarts from 0).
 */
export async function followFile(file: string, onText: (text: string) => void, signal: AbortSignal, intervalMs = 200): Promise<void> {
  let offset = await sizeOf(file);
  while (!signal.aborted) {
    await sleep(intervalMs, undefined, {signal}).catch(() => undefined);
    const size = await sizeOf(file);
    if (size < offset) offset = 0;
    if (size === offset) continue;
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(size - offset);
      await handle.read(buffer, 0, buffer.length, offset);
      offset = size;
      onText(buffer.toString('utf8'));
    } finally {
      await handle.close();
    }
  }
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}
