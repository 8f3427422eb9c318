import {CapsuleError} from '../lib/errors.js';
import type {RunErrorType, RunLogLine, RunProgress, RunRecord} from '../protocol/index.js';
import {FINAL_STATUSES} from './follow.js';

/** Something that happened to a run: a new state of its record, a log line, or progress. */
export type RunEvent = {type: 'update'; run: RunRecord} | {type: 'log'; line: RunLogLine} | {type: 'progress'; progress: RunProgress};

/** Events a handle keeps to replay to a listener that starts late; log and progress past this are only delivered live. */
export const MAX_REPLAYED_EVENTS = 1_000;
/** Events an `events()` iterator holds for a consumer that reads slower than the run logs; log and progress past this are dropped. */
export const MAX_UNREAD_EVENTS = 10_000;

/** What `result()` rejects with when the run failed or was cancelled. */
export class RunFailedError extends CapsuleError {
  /** The run's final record. */
  readonly run: RunRecord;
  /** `error.type` of the run: "error", "timeout", "out_of_memory", "compute_exhausted", "cancelled", "interrupted" or "crashed". */
  readonly type: RunErrorType;

  constructor(run: RunRecord) {
    const type = run.error?.type ?? (run.status === 'cancelled' ? 'cancelled' : 'error');
    super('failed', `run ${run.id} (${run.namespace}/${run.task}) ${run.status}: ${type}: ${run.error?.message ?? 'no error recorded'}`, {
      hint: `see every attempt with \`capsule show ${run.id}\` and its log with \`capsule logs ${run.id}\``,
      details: run.error,
    });
    this.name = 'RunFailedError';
    this.run = run;
    this.type = type;
  }
}

/** A submitted run, followed live from its submission to its final state. */
export interface RunHandle {
  /** The run's id (`run_…`). */
  readonly id: string;
  /** The latest record received: its status, attempts so far, and at the end its result or error. */
  readonly run: RunRecord;
  /** Resolves with the final record (succeeded, failed or cancelled); rejects only if the connection to the daemon is lost first. */
  wait(): Promise<RunRecord>;
  /** Resolves with the run's result once it succeeds; rejects with a {@link RunFailedError} if it fails or is cancelled. */
  result(): Promise<unknown>;
  /** Cancels the run (a running attempt sees `ctx.signal` abort); resolves with the record once cancelled, or final. */
  cancel(): Promise<RunRecord>;
  /**
   * Calls `listener` with each event from now on; returns the function that stops it. Events that
   * came earlier are replayed first (up to {@link MAX_REPLAYED_EVENTS}).
   */
  on(listener: (event: RunEvent) => void): () => void;
  /**
   * Every event of the run, from its submission (replayed, up to {@link MAX_REPLAYED_EVENTS}) to
   * its final `update`, where the iteration ends. Throws if the connection is lost first.
   */
  events(): AsyncIterableIterator<RunEvent>;
}

/** The handle's side the client drives: events routed to it, and the loss of the connection. */
export class FollowedRun implements RunHandle {
  readonly id: string;
  #run: RunRecord;
  readonly #final: Promise<RunRecord>;
  #settle!: (run: RunRecord) => void;
  #fail!: (error: Error) => void;
  #failure: Error | null = null;
  readonly #replay: RunEvent[] = [];
  readonly #listeners = new Set<(event: RunEvent) => void>();

  constructor(
    accepted: RunRecord,
    private readonly cancelRun: (id: string) => Promise<RunRecord>,
  ) {
    this.id = accepted.id;
    this.#run = accepted;
    this.#final = new Promise<RunRecord>((resolve, reject) => {
      this.#settle = resolve;
      this.#fail = reject;
    });
    // Nobody may ever ask for the outcome: a lost connection must not become an unhandled rejection.
    this.#final.catch(() => {});
    this.#record({type: 'update', run: accepted});
  }

  get run(): RunRecord {
    return this.#run;
  }

  get isFinal(): boolean {
    return FINAL_STATUSES.has(this.#run.status);
  }

  wait(): Promise<RunRecord> {
    return this.#final;
  }

  async result(): Promise<unknown> {
    const run = await this.#final;
    if (run.status === 'succeeded') return run.result;
    throw new RunFailedError(run);
  }

  cancel(): Promise<RunRecord> {
    return this.cancelRun(this.id);
  }

  on(listener: (event: RunEvent) => void): () => void {
    for (const event of this.#replay) listener(event);
    if (this.isFinal || this.#failure) return () => {};
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  events(): AsyncIterableIterator<RunEvent> {
    return new EventQueue(this);
  }

  /** An event of this run arrived. */
  push(event: RunEvent): void {
    if (this.isFinal) return;
    if (event.type === 'update') this.#run = event.run;
    this.#record(event);
    for (const listener of this.#listeners) listener(event);
    if (this.isFinal) {
      this.#listeners.clear();
      this.#settle(this.#run);
    }
  }

  /** The connection closed before the run ended. */
  lose(error: Error): void {
    if (this.isFinal || this.#failure) return;
    this.#failure = error;
    this.#fail(error);
    this.#listeners.clear();
  }

  get failure(): Error | null {
    return this.#failure;
  }

  #record(event: RunEvent): void {
    // State changes are few (two per attempt) and always kept: a late listener still sees how the run ended.
    if (event.type === 'update' || this.#replay.length < MAX_REPLAYED_EVENTS) this.#replay.push(event);
  }
}

/** The async iterator behind `events()`: buffers what arrives until the consumer reads it. */
class EventQueue implements AsyncIterableIterator<RunEvent> {
  readonly #unread: RunEvent[] = [];
  #waiting: {resolve(result: IteratorResult<RunEvent>): void; reject(error: Error): void} | null = null;
  #ended = false;
  readonly #stop: () => void;

  constructor(private readonly handle: FollowedRun) {
    this.#stop = handle.on((event) => this.#deliver(event));
    void handle.wait().catch(() => this.#wake());
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<RunEvent> {
    return this;
  }

  next(): Promise<IteratorResult<RunEvent>> {
    const event = this.#unread.shift();
    if (event !== undefined) return Promise.resolve(this.#yielded(event));
    if (this.#ended) return Promise.resolve({done: true, value: undefined});
    if (this.handle.failure) return Promise.reject(this.handle.failure);
    return new Promise((resolve, reject) => (this.#waiting = {resolve, reject}));
  }

  return(): Promise<IteratorResult<RunEvent>> {
    this.#ended = true;
    this.#unread.length = 0;
    this.#stop();
    return Promise.resolve({done: true, value: undefined});
  }

  #deliver(event: RunEvent): void {
    if (this.#ended) return;
    if (this.#waiting) {
      const waiting = this.#waiting;
      this.#waiting = null;
      waiting.resolve(this.#yielded(event));
    } else if (event.type === 'update' || this.#unread.length < MAX_UNREAD_EVENTS) {
      this.#unread.push(event);
    }
  }

  /** The final update is the last event: the iteration ends after it. */
  #yielded(event: RunEvent): IteratorResult<RunEvent> {
    if (event.type === 'update' && FINAL_STATUSES.has(event.run.status)) {
      this.#ended = true;
      this.#stop();
    }
    return {done: false, value: event};
  }

  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = null;
    if (waiting && this.handle.failure) waiting.reject(this.handle.failure);
  }
}
