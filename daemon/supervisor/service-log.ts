/**
 * One service's log: timestamped, numbered lines from its stdout and stderr (as output-capture.ts
 * reads them) and the supervisor's own notes, appended to `<name>.log`, rotated to `.1`, `.2` …
 * before a file would pass its size limit, with live followers. Appends are synchronous: a read
 * is at most 64KB and a local append takes microseconds, which keeps memory flat no matter how
 * chatty the service is.
 */
import {closeSync, fstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync} from 'node:fs';
import {basename, dirname, join} from 'node:path';
import type {LogsConfig} from '../../src/config/services.js';
import type {Clock} from '../core/clock.js';
import {scrub} from './config-values.js';
import {formatLogLine, lastStoredSeq, tailLines} from './log-tail.js';
import {PRIVATE_DIR_MODE, PRIVATE_FILE_MODE} from '../core/private-file.js';
import type {LogLine, LogStream} from './types.js';

export type LogListener = (line: LogLine) => void;

export class ServiceLog {
  private fd: number | null = null;
  private size = 0;
  private secrets: readonly string[] = [];
  /** Of the last line written; read back from the files before the first line this instance writes. */
  private seq: number | null = null;
  private closed = false;
  private readonly followers = new Set<LogListener>();

  constructor(
    readonly file: string,
    private limits: LogsConfig,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  setLimits(limits: LogsConfig): void {
    this.limits = limits;
  }

  /** Values replaced by `***` in every line written or followed. */
  setSecrets(secrets: readonly string[]): void {
    this.secrets = secrets;
  }

  /** A line from the supervisor itself. */
  note(text: string): void {
    this.append('capsule', [text]);
  }

  /**
   * Lines the process printed (see output-capture.ts). `beforeWrite` is told the seq the last of
   * them will have, just before they are written.
   */
  appendOutput(stream: 'stdout' | 'stderr', texts: string[], beforeWrite: (lastSeq: number) => void): void {
    this.append(stream, texts, beforeWrite);
  }

  /** The seq of the newest line, counted on from the files, so a restarted daemon (or a reloaded service) numbers on. */
  lastSeq(): number {
    return this.seq ?? lastStoredSeq(this.files());
  }

  follow(listener: LogListener): () => void {
    this.followers.add(listener);
    return () => this.followers.delete(listener);
  }

  /** The current file, then the rotated ones, newest first. */
  files(): string[] {
    return [this.file, ...Array.from({length: this.limits.keep}, (_, index) => `${this.file}.${index + 1}`)];
  }

  tail(count: number): Promise<LogLine[]> {
    return tailLines(this.files(), count);
  }

  /**
   * Empties the log: the current file is cut to nothing and every rotated one removed (those
   * beyond `keep` too, left by a larger `keep` before). Returns the bytes freed. The numbering
   * goes on, and `note` is written first into the empty file, so a restarted daemon reads the
   * seq back from it: a follower never sees a seq go back.
   */
  empty(note: string): number {
    const seq = this.lastSeq();
    this.closeFile();
    let freed = 0;
    for (const file of [this.file, ...this.rotatedFiles()]) {
      freed += sizeOf(file);
      rmSync(file, {force: true});
    }
    this.size = 0;
    this.seq = seq;
    this.note(note);
    return freed;
  }

  close(): void {
    this.closed = true;
    this.followers.clear();
    this.closeFile();
  }

  private append(stream: LogStream, texts: string[], beforeWrite?: (lastSeq: number) => void): void {
    if (this.closed || texts.length === 0) return;
    const time = new Date(this.clock.now()).toISOString();
    // Counted on from the files, so a restarted daemon (or a reloaded service) numbers on, and followers never see a seq go back.
    let seq = this.lastSeq();
    const lines = texts.map((text) => ({seq: ++seq, time, stream, text: scrub(text, this.secrets)}));
    this.seq = seq;
    beforeWrite?.(seq);
    this.write(lines);
    for (const line of lines) for (const listener of this.followers) notify(listener, line);
  }

  /**
   * A batch that fits goes into one file in one write: a daemon killed mid-batch leaves all of it
   * or none (which the capture's cursor relies on). Only a batch bigger than a whole file is split.
   */
  private write(lines: LogLine[]): void {
    const texts = lines.map(formatLogLine);
    const total = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    if (this.fd === null) this.openSafely();
    if (total <= this.limits.maxSizeBytes) {
      if (this.size + total > this.limits.maxSizeBytes && this.size > 0) this.rotateSafely();
      this.flush(texts.join(''), total);
      return;
    }
    let batch = '';
    let batchBytes = 0;
    for (const text of texts) {
      const bytes = Buffer.byteLength(text);
      if (this.size + batchBytes + bytes > this.limits.maxSizeBytes && this.size + batchBytes > 0) {
        this.flush(batch, batchBytes);
        this.rotateSafely();
        batch = '';
        batchBytes = 0;
      }
      batch += text;
      batchBytes += bytes;
    }
    this.flush(batch, batchBytes);
  }

  /** Opened before a write decides on rotation, so it knows the size of a file an earlier daemon left. */
  private openSafely(): void {
    try {
      this.openFile();
    } catch {
      this.closeFile();
    }
  }

  private flush(batch: string, bytes: number): void {
    if (bytes === 0) return;
    try {
      if (this.fd === null) this.openFile();
      writeSync(this.fd!, batch);
      this.size += bytes;
    } catch {
      // A full disk or a removed directory must not take the daemon down: these lines are
      // lost, and the file is reopened on the next write.
      this.closeFile();
    }
  }

  private openFile(): void {
    mkdirSync(dirname(this.file), {recursive: true, mode: PRIVATE_DIR_MODE});
    this.fd = openSync(this.file, 'a', PRIVATE_FILE_MODE);
    this.size = fstatSync(this.fd).size;
  }

  private closeFile(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  /** `<name>.log.N` for any N: what `files()` lists and what an earlier, larger `keep` left. */
  private rotatedFiles(): string[] {
    const prefix = `${basename(this.file)}.`;
    let names: string[];
    try {
      names = readdirSync(dirname(this.file));
    } catch {
      return [];
    }
    return names.filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length))).map((name) => join(dirname(this.file), name));
  }

  private rotateSafely(): void {
    try {
      this.rotate();
    } catch {
      // Rotation failing (permissions, a full disk) must not stop logging: keep appending.
    }
  }

  private rotate(): void {
    this.closeFile();
    const files = this.files();
    rmSync(files.at(-1)!, {force: true});
    for (let index = files.length - 2; index >= 0; index--) renameIfPresent(files[index]!, files[index + 1]!);
    this.size = 0;
  }
}

function renameIfPresent(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** A follower that throws is the follower's problem, not the log's. */
function notify(listener: LogListener, line: LogLine): void {
  try {
    listener(line);
  } catch {
    // ignored on purpose: see above
  }
}
