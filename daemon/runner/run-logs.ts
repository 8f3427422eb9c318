import {readFileSync} from 'node:fs';
import {appendFile, mkdir, readFile, readdir, rm} from 'node:fs/promises';
import {join} from 'node:path';
import {PRIVATE_DIR_MODE, PRIVATE_FILE_MODE} from '../core/private-file.js';
import type {RunLogLine} from '../../src/protocol/index.js';

/** Bytes of log kept per run; later lines are dropped after one truncation marker. */
export const RUN_LOG_MAX_BYTES = 1024 * 1024;
/** Characters kept of one log message; the rest is cut. */
export const LOG_LINE_MAX_CHARS = 16 * 1024;
/** Recent lines held in memory per logging run, so followers of a live run read without disk. */
export const LOG_TAIL_LINES = 200;

const LOG_SUFFIX = '.jsonl';

export interface RunLogsOptions {
  /** @default RUN_LOG_MAX_BYTES */
  maxBytesPerRun?: number;
  /** @default LOG_TAIL_LINES */
  tailLines?: number;
  /** A background write failed. @default console.error */
  onError?: (error: unknown) => void;
}

interface LiveLog {
  bytes: number;
  /** Of the last line recorded. */
  seq: number;
  truncated: boolean;
  pending: string[];
  tail: RunLogLine[];
  /** The tail holds every line of the run's log. */
  complete: boolean;
  ended: boolean;
}

/**
 * Each run's log lines, one JSON line each, in `<dir>/<runId>.jsonl`. Appends are grouped: the
 * lines of one turn of the event loop go out in one write per run.
 */
export class RunLogs {
  readonly #dir: string;
  readonly #maxBytes: number;
  readonly #tailLines: number;
  readonly #onError: (error: unknown) => void;
  /** Runs that logged and have not ended; bounded by the runs attempting at once. */
  readonly #live = new Map<string, LiveLog>();
  /**
   * Runs with a log file, so pruning a run that never logged (most runs of a busy task) costs no
   * file system call. Bounded by the runs the history keeps.
   */
  readonly #onDisk: Set<string>;
  #writing: Promise<void> | null = null;
  #scheduled = false;

  private constructor(dir: string, onDisk: Set<string>, options: RunLogsOptions) {
    this.#dir = dir;
    this.#onDisk = onDisk;
    this.#maxBytes = options.maxBytesPerRun ?? RUN_LOG_MAX_BYTES;
    this.#tailLines = options.tailLines ?? LOG_TAIL_LINES;
    this.#onError = options.onError ?? console.error;
  }

  static async open(dir: string, options: RunLogsOptions = {}): Promise<RunLogs> {
    await mkdir(dir, {recursive: true, mode: PRIVATE_DIR_MODE});
    const files = await readdir(dir);
    return new RunLogs(dir, new Set(files.filter((name) => name.endsWith(LOG_SUFFIX)).map((name) => name.slice(0, -LOG_SUFFIX.length))), options);
  }

  /**
   * Records a line, numbered after the run's last one. Returns what followers should see: the
   * line itself; the truncation marker when this line would pass the run's limit; nothing once
   * the log is truncated.
   */
  append(line: Omit<RunLogLine, 'seq'>): RunLogLine[] {
    const live = this.#liveLog(line);
    if (live.truncated) return [];
    const message = line.message.length > LOG_LINE_MAX_CHARS ? `${line.message.slice(0, LOG_LINE_MAX_CHARS)}… [cut at ${LOG_LINE_MAX_CHARS} characters]` : line.message;
    const seq = live.seq + 1;
    let shown: RunLogLine = {...line, seq, message};
    let text = `${JSON.stringify(shown)}\n`;
    const bytes = Buffer.byteLength(text);
    if (live.bytes + bytes > this.#maxBytes) {
      live.truncated = true;
      shown = {...line, seq, level: 'warn', message: `[capsule] log truncated: this run wrote more than ${this.#maxBytes} bytes; later lines are dropped`};
      text = `${JSON.stringify(shown)}\n`;
    }
    live.seq = seq;
    live.bytes += bytes;
    live.pending.push(text);
    live.tail.push(shown);
    if (live.tail.length > this.#tailLines) {
      live.tail.shift();
      live.complete = false;
    }
    this.#schedule();
    return [shown];
  }

  /** The run logs no more: its lines are written, then its memory is released. */
  end(runId: string): void {
    const live = this.#live.get(runId);
    if (!live) return;
    live.ended = true;
    this.#schedule();
  }

  /** The run's log lines, or its last `tail` lines. */
  async read(runId: string, tail?: number): Promise<RunLogLine[]> {
    const live = this.#live.get(runId);
    if (live && (live.complete || (tail !== undefined && tail <= live.tail.length))) return lastLines(live.tail, tail);
    await this.flush();
    let text: string;
    try {
      text = await readFile(this.#file(runId), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return lastLines(parseLog(text), tail);
  }

  async remove(runIds: Iterable<string>): Promise<void> {
    const removals: Promise<void>[] = [];
    for (const runId of runIds) {
      this.#live.delete(runId);
      if (this.#onDisk.delete(runId)) removals.push(rm(this.#file(runId), {force: true}));
    }
    await Promise.all(removals);
  }

  /** Resolves once every line appended so far is written. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
    const writes: Promise<void>[] = [];
    for (const [runId, live] of this.#live) {
      if (live.pending.length > 0) {
        this.#onDisk.add(runId);
        writes.push(appendFile(this.#file(runId), live.pending.join(''), {mode: PRIVATE_FILE_MODE}));
        live.pending = [];
      }
      if (live.ended) this.#live.delete(runId);
    }
    if (writes.length === 0) return;
    this.#writing = Promise.all(writes).then(() => undefined);
    try {
      await this.#writing;
    } finally {
      this.#writing = null;
    }
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.flush().catch(this.#onError);
    });
  }

  #liveLog(line: Omit<RunLogLine, 'seq'>): LiveLog {
    let live = this.#live.get(line.runId);
    if (!live) {
      // A later attempt may follow a daemon restart, with a log already on disk that counts toward
      // the limit and whose numbering it continues.
      const {bytes, seq} = line.attempt > 1 ? existingLog(this.#file(line.runId)) : {bytes: 0, seq: 0};
      live = {bytes, seq, truncated: bytes >= this.#maxBytes, pending: [], tail: [], complete: bytes === 0, ended: false};
      this.#live.set(line.runId, live);
    }
    return live;
  }

  #file(runId: string): string {
    return join(this.#dir, `${runId}${LOG_SUFFIX}`);
  }
}

/** Read whole and synchronously: at most the 1 MB a run may log, once per run resumed after a daemon restart. */
function existingLog(file: string): {bytes: number; seq: number} {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {bytes: 0, seq: 0};
  }
  return {bytes: Buffer.byteLength(text), seq: parseLog(text).at(-1)?.seq ?? 0};
}

function lastLines(lines: RunLogLine[], tail: number | undefined): RunLogLine[] {
  return tail === undefined ? [...lines] : lines.slice(Math.max(0, lines.length - tail));
}

/** A stored log's lines; one without a seq (written before Capsule kept them) is numbered by its row. */
function parseLog(text: string): RunLogLine[] {
  const lines: RunLogLine[] = [];
  const rows = text.split('\n');
  for (let index = 0; index < rows.length; index++) {
    if (rows[index] === '') continue;
    try {
      const line = JSON.parse(rows[index]!) as RunLogLine;
      lines.push(typeof line.seq === 'number' ? line : {...line, seq: index + 1});
    } catch {
      // A line torn by a crash mid-write is skipped rather than failing the whole read.
    }
  }
  return lines;
}
