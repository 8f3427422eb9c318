/**
 * A service's stdout and stderr are files, not pipes. Each process gets two append-mode files
 * beside its log (`<name>.out`, `<name>.err`) as its fds 1 and 2, so what it prints never
 * depends on the daemon being alive: a pipe whose reader died gives EPIPE or SIGPIPE at the
 * next line, a file takes the line whether or not anyone reads it.
 *
 * The daemon follows the files (inotify through fs.watch) into the service log, which gives
 * each line its time, seq and masking and is what `logs` and `logs -f` read and rotation bounds.
 * How far each file has been taken is kept in `<name>.cursor`, written just before each batch
 * of lines goes into the log, with the seq the batch's last line will have: a daemon killed
 * between the two writes finds that seq missing from the log and reads the batch again, one
 * killed after finds it there and goes on past it. No line is lost or doubled either way.
 *
 * The files are opened with O_APPEND and never truncated under a running process (that would
 * lose what it writes between the last read and the truncation): the part already taken is
 * freed by punching a hole in it (`fallocate --punch-hole`, util-linux), so disk use stays
 * bounded while the offsets stay valid. A new process gets new files.
 */
import {execFile} from 'node:child_process';
import {closeSync, constants, mkdirSync, openSync, readFileSync, readSync, rmSync, watch, writeSync, type FSWatcher} from 'node:fs';
import {dirname} from 'node:path';
import {PRIVATE_DIR_MODE, PRIVATE_FILE_MODE} from '../core/private-file.js';
import {LineSplitter} from './line-splitter.js';
import type {ServiceLog} from './service-log.js';

export type CapturedStream = 'stdout' | 'stderr';
const STREAMS: readonly CapturedStream[] = ['stdout', 'stderr'];

export interface CapturePaths {
  stdout: string;
  stderr: string;
  cursor: string;
}

/** Bytes taken so far from each file. */
export type CaptureOffsets = Record<CapturedStream, number>;

interface CursorRecord extends CaptureOffsets {
  /** `pid:startTime` of the process whose files these offsets are into. */
  process: string;
  /** The batch about to be written when the record was: where it ends, and the seq of its last line. */
  pending: {stream: CapturedStream; to: number; seq: number} | null;
}

/** Read from a file at a time: also what one read adds to the daemon's memory. */
const CHUNK_BYTES = 64 * 1024;
/** Taken in one go before the event loop gets a turn: a backlog left while no daemon ran is read in slices. */
const SLICE_BYTES = 1024 * 1024;
/** After a read, changes are collected this long before the next: a chatty service costs a read per interval, not per line. */
const READ_INTERVAL_MS = 15;
/** Taken bytes are freed once this many have piled up since the last hole. */
const PUNCH_EVERY_BYTES = 8 * 1024 * 1024;
const BLOCK_BYTES = 4096;
/** The cursor record is written in place at this fixed size, so one pwrite replaces it whole. */
const CURSOR_BYTES = 512;

/** Whether `fallocate` could be run; once it could not, nobody tries again. */
let punchAvailable = true;

export function capturePaths(logFile: string): CapturePaths {
  const base = logFile.replace(/\.log$/, '');
  return {stdout: `${base}.out`, stderr: `${base}.err`, cursor: `${base}.cursor`};
}

/** Names a process in the cursor: a pid alone may be another process's by the next daemon. */
export const processKey = (pid: number, startTime: number | null) => `${pid}:${startTime ?? 'unknown'}`;

/**
 * New files for a process about to be spawned: the fds to give it as stdout and stderr (close
 * them once it has been spawned). The old files are unlinked first, so a grandchild still
 * holding one writes into a file nobody reads rather than into the new process's output.
 */
export function openCaptureFiles(paths: CapturePaths): Record<CapturedStream, number> {
  mkdirSync(dirname(paths.stdout), {recursive: true, mode: PRIVATE_DIR_MODE});
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND;
  const open = (file: string) => {
    rmSync(file, {force: true});
    return openSync(file, flags, PRIVATE_FILE_MODE);
  };
  const stdout = open(paths.stdout);
  try {
    return {stdout, stderr: open(paths.stderr)};
  } catch (error) {
    closeSync(stdout);
    throw error;
  }
}

/**
 * Where a new daemon goes on reading the files of `process`: nothing is taken yet when the
 * cursor is of another process (or missing: the daemon died before its first read).
 * `lastSeq` is the seq of the newest line in the log.
 */
export function resumeOffsets(paths: CapturePaths, process: string, lastSeq: number): CaptureOffsets {
  let record: CursorRecord;
  try {
    record = JSON.parse(readFileSync(paths.cursor, 'utf8')) as CursorRecord;
  } catch {
    return {stdout: 0, stderr: 0};
  }
  if (record.process !== process) return {stdout: 0, stderr: 0};
  const offsets = {stdout: record.stdout, stderr: record.stderr};
  if (record.pending !== null && lastSeq >= record.pending.seq) offsets[record.pending.stream] = record.pending.to;
  return offsets;
}

/** Follows one process's files into its service log, from `from`. */
export class OutputCapture {
  private readonly readers: StreamReader[];
  private readonly cursorFd: number;
  /** Reused for every cursor write: one is written per batch taken. */
  private readonly cursorBytes = Buffer.alloc(CURSOR_BYTES);
  private firstStderr: string | null = null;
  private closed = false;

  constructor(
    private readonly paths: CapturePaths,
    private readonly process: string,
    private readonly log: ServiceLog,
    from: CaptureOffsets,
  ) {
    mkdirSync(dirname(paths.cursor), {recursive: true, mode: PRIVATE_DIR_MODE});
    this.cursorFd = openSync(paths.cursor, 'w', PRIVATE_FILE_MODE);
    this.readers = STREAMS.map((stream) => new StreamReader(stream, paths[stream], from[stream], (lines, to) => this.take(stream, lines, to)));
    this.writeCursor(null);
    for (const reader of this.readers) reader.start();
  }

  /** The first line the process wrote to stderr, as far as it has been read. */
  get firstStderrLine(): string | null {
    return this.firstStderr;
  }

  /**
   * Takes what the files hold now. `ended`: the process is gone, so an unfinished last line is
   * a line too; otherwise it is left for later, or for the next daemon.
   */
  drain(ended: boolean): void {
    if (this.closed) return;
    for (const reader of this.readers) reader.readAll(ended);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const reader of this.readers) reader.close();
    closeSync(this.cursorFd);
  }

  /** The daemon goes and the process stays: takes what is there, leaving an unfinished line to the next daemon. */
  leave(): void {
    this.drain(false);
    this.close();
  }

  /** The process is gone: takes the rest of its output and removes its files, which nobody will read again. */
  end(): void {
    this.drain(true);
    this.close();
    for (const file of [this.paths.stdout, this.paths.stderr, this.paths.cursor]) rmSync(file, {force: true});
  }

  private take(stream: CapturedStream, lines: string[], to: number): void {
    if (stream === 'stderr') this.firstStderr ??= lines[0]!;
    this.log.appendOutput(stream, lines, (lastSeq) => this.writeCursor({stream, to, seq: lastSeq}));
  }

  private writeCursor(pending: CursorRecord['pending']): void {
    const [stdout, stderr] = this.readers.map((reader) => reader.taken);
    const record: CursorRecord = {process: this.process, stdout: stdout!, stderr: stderr!, pending};
    const bytes = this.cursorBytes;
    bytes.fill(' ', bytes.write(JSON.stringify(record)));
    try {
      writeSync(this.cursorFd, bytes, 0, CURSOR_BYTES, 0);
    } catch {
      // A full disk: the lines still go to the log; a daemon killed before the next write reads them again.
    }
  }
}

class StreamReader {
  private fd: number | null = null;
  private watcher: FSWatcher | null = null;
  /** Read up to here; `taken` is where the last complete line ended. */
  private position: number;
  private punched = 0;
  private punching = false;
  private readonly splitter = new LineSplitter();
  private readonly buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private timer: NodeJS.Timeout | null = null;
  private changed = false;

  constructor(
    readonly stream: CapturedStream,
    private readonly file: string,
    public taken: number,
    private readonly onLines: (lines: string[], to: number) => void,
  ) {
    this.position = taken;
  }

  start(): void {
    try {
      this.fd = openSync(this.file, 'r');
    } catch {
      // No file (removed under us, or never made): nothing to follow.
      return;
    }
    try {
      this.watcher = watch(this.file, {persistent: false}, () => this.onChange());
      this.watcher.on('error', () => undefined);
    } catch {
      // Without inotify the output is still taken at the end of the process (or by the next daemon).
    }
    this.onChange();
  }

  /** Reads everything the file holds, in one go. */
  readAll(ended: boolean): void {
    while (this.readSlice()) {
      // keep going: this is the end of the process or of the daemon
    }
    if (!ended) return;
    const rest = this.splitter.flush();
    if (rest !== null) this.deliver([rest], this.position);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.watcher?.close();
    this.watcher = null;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  /** A read at once, then at most one per READ_INTERVAL_MS while changes keep coming. */
  private onChange(): void {
    if (this.fd === null) return;
    if (this.timer !== null) {
      this.changed = true;
      return;
    }
    const more = this.readSlice();
    this.changed = more;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        if (this.changed) this.onChange();
      },
      more ? 0 : READ_INTERVAL_MS,
    ).unref();
  }

  /** True when it stopped with more to read. */
  private readSlice(): boolean {
    if (this.fd === null) return false;
    let read = 0;
    while (read < SLICE_BYTES) {
      let count: number;
      try {
        count = readSync(this.fd, this.buffer, 0, CHUNK_BYTES, this.position);
      } catch {
        return false;
      }
      if (count === 0) return false;
      const chunk = this.buffer.subarray(0, count);
      const lines = this.splitter.push(chunk);
      this.position += count;
      read += count;
      if (lines.length > 0) this.deliver(lines, this.position - count + chunk.lastIndexOf(10) + 1);
    }
    return true;
  }

  private deliver(lines: string[], to: number): void {
    this.onLines(lines, to);
    this.taken = to;
    if (this.taken - this.punched >= PUNCH_EVERY_BYTES) this.punch();
  }

  private punch(): void {
    if (!punchAvailable || this.punching) return;
    const length = Math.floor(this.taken / BLOCK_BYTES) * BLOCK_BYTES;
    this.punching = true;
    execFile('fallocate', ['--punch-hole', '--offset', '0', '--length', String(length), this.file], (error) => {
      this.punching = false;
      // A file system without holes is tried again only after as much again.
      this.punched = length;
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') punchAvailable = false;
    });
  }
}
