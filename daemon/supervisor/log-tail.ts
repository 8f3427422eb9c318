/** Reads the last lines of a service's log files without loading whole files. */
import {readLastLines} from '../../src/lib/tail.js';
import type {LogLine, LogStream} from './types.js';

/** The most lines one `logs` call returns. */
export const MAX_TAIL_LINES = 10_000;
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
    lines.unshift(...(await readLastLines(file, wanted - lines.length)));
  }
  return lines.map(parseLogLine);
}
