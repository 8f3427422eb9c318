import type {ChildProcess} from 'node:child_process';
import type {Readable, Writable} from 'node:stream';
import type Tinypool from 'tinypool';
import type {TinypoolWorker} from 'tinypool';
import type {LogLevel} from '../../src/protocol/index.js';
import type {Isolation} from '../runner/executor-api.js';
import {signalGroup} from '../supervisor/process-group.js';

/** Tail of a child's stderr kept to tell a V8 heap exhaustion from another abort. */
export const STDERR_TAIL_CHARS = 4096;
/** Longest line of a child's raw output forwarded to a run's log. */
const MAX_OUTPUT_LINE_CHARS = 16 * 1024;

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What an attempt attaches to the worker it runs on, and detaches when it ends. */
export interface WorkerWatcher {
  onExit(exit: WorkerExit): void;
  /** Raw stdout/stderr of a child process (console output arrives as log messages instead). */
  onOutput(level: LogLevel, line: string): void;
}

/**
 * Follows one worker for its whole life with a single set of listeners: its exit (tinypool does
 * not notice a worker thread that calls process.exit) and, for a child process, its raw output.
 * The attempt running on it at the time gets the events. A worker is a tinypool worker, or a
 * sandbox's bubblewrap process (whose exit status `toExit` reads).
 */
/** What a worker's end is heard from: a tinypool worker, or a ChildProcess. */
interface Exits {
  // The listeners' arguments differ by emitter; each one below reads what its events give.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  once(event: string, listener: (...args: any[]) => void): unknown;
}

export class WorkerHandle {
  exit: WorkerExit | null = null;
  private watcher: WorkerWatcher | null = null;
  private tail = '';

  /** `group`: the process group the worker leads (a child's pid; 0 for a thread). */
  constructor(worker: Exits, isolation: Isolation, child: ChildProcess | null, group: number, toExit: (code: number | null, signal: NodeJS.Signals | null) => WorkerExit = (code, signal) => ({code, signal})) {
    if (isolation === 'thread') {
      worker.once('exit', (code: number) => this.exited({code, signal: null}));
      return;
    }
    // 'close' comes after the child's stdio ended, so its last stderr lines are in the tail.
    worker.once('close', (code: number | null, signal: NodeJS.Signals | null) => this.exited(toExit(code, signal)));
    // What is left of its process group goes with it, whatever ended it (a crash, tinypool
    // retiring it); until then its stdio may be held open by them, and 'close' would wait.
    if (group > 0) worker.once('exit', () => signalGroup(group, 'SIGKILL'));
    if (child !== null) {
      this.forward(child.stdout, process.stdout, 'log');
      this.forward(child.stderr, process.stderr, 'error');
    }
  }

  /** Attaches the attempt starting on this worker; what the worker wrote before is not its concern. */
  watch(watcher: WorkerWatcher): void {
    this.watcher = watcher;
    this.tail = '';
    if (this.exit !== null) watcher.onExit(this.exit);
  }

  unwatch(): void {
    this.watcher = null;
  }

  /** The end of what the worker wrote to stderr since the current attempt started. */
  stderrTail(): string {
    return this.tail;
  }

  private exited(exit: WorkerExit): void {
    this.exit = exit;
    this.watcher?.onExit(exit);
  }

  // tinypool pipes a child's output into the daemon's own; it belongs in the run's log.
  private forward(stream: Readable | null, fallback: Writable, level: LogLevel): void {
    if (stream === null) return;
    stream.unpipe(fallback);
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      if (level === 'error') this.tail = (this.tail + chunk).slice(-STDERR_TAIL_CHARS);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!.slice(-MAX_OUTPUT_LINE_CHARS);
      for (const line of lines) this.emit(level, line, fallback);
    });
    stream.on('end', () => {
      if (partial !== '') this.emit(level, partial, fallback);
    });
    // unpipe() left the stream paused, and a 'data' listener does not resume a paused stream.
    stream.resume();
  }

  private emit(level: LogLevel, line: string, fallback: Writable): void {
    const cut = line.slice(0, MAX_OUTPUT_LINE_CHARS);
    if (this.watcher === null) fallback.write(`${cut}\n`);
    else this.watcher.onOutput(level, cut);
  }
}

export class WorkerRegistry {
  private readonly handles = new WeakMap<TinypoolWorker, WorkerHandle>();

  /** The handle of the pool's worker with this id (worker_threads threadId, or a child's pid). */
  find(pool: Tinypool, isolation: Isolation, workerId: number): WorkerHandle | null {
    const worker = pool.threads.find((candidate) => candidate.threadId === workerId);
    if (worker === undefined) return null;
    let handle = this.handles.get(worker);
    if (handle === undefined) {
      handle = new WorkerHandle(worker, isolation, childProcessOf(worker), isolation === 'thread' ? 0 : worker.threadId);
      this.handles.set(worker, handle);
    }
    return handle;
  }
}

// tinypool's ProcessWorker keeps its ChildProcess in `process` without typing it.
function childProcessOf(worker: TinypoolWorker): ChildProcess | null {
  const child = (worker as TinypoolWorker & {process?: ChildProcess}).process;
  return child?.stdout === undefined ? null : child;
}
