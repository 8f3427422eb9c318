import {open, stat} from 'node:fs/promises';
import {setTimeout as sleep} from 'node:timers/promises';

/** Reading from the end in blocks of this size keeps `logs -n` cheap on a big file. */
const BLOCK = 64 * 1024;

/** The last `count` lines of a file ([] if it does not exist). */
export async function readLastLines(file: string, count: number): Promise<string[]> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return [];
  }
  try {
    const {size} = await handle.stat();
    let position = size;
    let text = '';
    while (position > 0 && text.split('\n').length <= count + 1) {
      const length = Math.min(BLOCK, position);
      position -= length;
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, position);
      text = buffer.toString('utf8') + text;
    }
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-count);
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
