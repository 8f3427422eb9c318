/** Reads the last lines of a service's log files without loading whole files. */
import {open} from 'node:fs/promises';
import type {LogLine, LogStream} from './types.js';

/** The most lines one `logs` call returns. */
export const MAX_TAIL_LINES = 10_000;
const READ_CHUNK_BYTES = 64 * 1024;
const STREAMS: ReadonlySet<string> = new Set<LogStream>(['stdout', 'stderr', 'capsule']);

/** `<time> <stream> <text>`: the format ServiceLog writes. */
export function formatLogLine(line: LogLine): string {
  return `${line.time} ${line.stream} ${line.text}\n`;
}

export function parseLogLine(raw: string): LogLine {
  const first = raw.indexOf(' ');
  const second = raw.indexOf(' ', first + 1);
  const stream = raw.slice(first + 1, second === -1 ? undefined : second);
  if (first === -1 || !STREAMS.has(stream)) return {time: '', stream: 'stdout', text: raw};
  return {time: raw.slice(0, first), stream: stream as LogStream, text: second === -1 ? '' : raw.slice(second + 1)};
}

/** The last `count` lines across `files`, given newest first (the current file, then .1, .2 ...), oldest line first. */
export async function tailLines(files: readonly string[], count: number): Promise<LogLine[]> {
  const wanted = Math.min(Math.max(0, Math.floor(count)), MAX_TAIL_LINES);
  const lines: string[] = [];
  for (const file of files) {
    if (lines.length >= wanted) break;
    lines.unshift(...(await lastLines(file, wanted - lines.length)));
  }
  return lines.map(parseLogLine);
}

async function lastLines(file: string, count: number): Promise<string[]> {
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
      const length = Math.min(READ_CHUNK_BYTES, position);
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
