/** Reads the last lines of a service's log files without loading whole files. */
import {closeSync, fstatSync, openSync, readSync} from 'node:fs';
import {readLastLines} from '../../src/lib/tail.js';
import {MAX_LINE_BYTES} from './line-splitter.js';
import {LOG_STREAMS} from '../../src/protocol/index.js';
import type {LogLine, LogStream} from './types.js';

/** The most lines one `logs` call returns. */
export const MAX_TAIL_LINES = 10_000;
const STREAMS: ReadonlySet<string> = new Set<LogStream>(LOG_STREAMS);

/** `<time> <seq> <stream> <text>`: the format ServiceLog writes. */
export function formatLogLine(line: LogLine): string {
  return `${line.time} ${line.seq} ${line.stream} ${line.text}\n`;
}

/**
 * Reads a line of either format ServiceLog has written: `<time> <seq> <stream> <text>`, or
 * `<time> <stream> <text>` from before lines had a seq (seq 0). A stream name is never all
 * digits, so the two cannot be confused; anything else is kept whole as stdout text.
 */
export function parseLogLine(raw: string): LogLine {
  const first = raw.indexOf(' ');
  const second = first === -1 ? -1 : raw.indexOf(' ', first + 1);
  const word = (from: number, to: number) => raw.slice(from + 1, to === -1 ? undefined : to);
  const seq = word(first, second);
  if (first !== -1 && second !== -1 && /^\d+$/.test(seq)) {
    const third = raw.indexOf(' ', second + 1);
    const stream = word(second, third);
    if (STREAMS.has(stream)) return {seq: Number(seq), time: raw.slice(0, first), stream: stream as LogStream, text: third === -1 ? '' : raw.slice(third + 1)};
  }
  const stream = word(first, second);
  if (first === -1 || !STREAMS.has(stream)) return {seq: 0, time: '', stream: 'stdout', text: raw};
  return {seq: 0, time: raw.slice(0, first), stream: stream as LogStream, text: second === -1 ? '' : raw.slice(second + 1)};
}

/** The seq of the newest line stored in `files` (newest first), 0 if there is none. */
export function lastStoredSeq(files: readonly string[]): number {
  for (const file of files) {
    const lines = readLastLinesSync(file, 16);
    for (let index = lines.length - 1; index >= 0; index--) {
      const {seq} = parseLogLine(lines[index]!);
      if (seq > 0) return seq;
    }
    // A file whose last lines carry no seq was written before seqs were kept: older files have none either.
    if (lines.length > 0) return 0;
  }
  return 0;
}

/** The last `count` lines across `files`, given newest first (the current file, then .1, .2 ...), oldest line first. */
export async function tailLines(files: readonly string[], count: number): Promise<LogLine[]> {
  const wanted = Math.min(Math.max(0, Math.floor(count)), MAX_TAIL_LINES);
  const lines: string[] = [];
  for (const file of files) {
    if (lines.length >= wanted) break;
    lines.unshift(...(await readLastLines(file, wanted - lines.length)));
  }
  // A rotation between two reads puts lines already read into the next older file: a numbered
  // line not after the last one kept is such a repeat.
  const parsed: LogLine[] = [];
  let last = 0;
  for (const line of lines.map(parseLogLine)) {
    if (line.seq > 0 && line.seq <= last) continue;
    if (line.seq > 0) last = line.seq;
    parsed.push(line);
  }
  return parsed;
}

/**
 * The last few complete lines of a file, read synchronously from one block at its end: enough to
 * hold a whole line, which the line splitter keeps under MAX_LINE_BYTES.
 */
function readLastLinesSync(file: string, count: number): string[] {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 4 * MAX_LINE_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const rows = buffer.toString('utf8').split('\n');
    // The block's first row may be the end of a longer line.
    if (length < size) rows.shift();
    return rows.filter((row) => row !== '').slice(-count);
  } finally {
    closeSync(fd);
  }
}
