import {CapsuleError} from '../lib/errors.js';
import {isFinalRunStatus, type RunErrorType, type RunLogLine, type RunProgress, type RunRecord, type StepRecord} from '../protocol/index.js';
import {EventQueue, type EventSource} from './event-queue.js';
import {isNew, lastSeq} from './log-join.js';

/**
 * Something that happened to a run: a new state of its record, a log line, progress, a durable
 * step recorded or changed (`ctx.step` ended, a sleep or wait began or ended, a prompt was
 * answered), or a question (`ctx.prompt`) that now waits for an answer: `prompt` carries the
 * waiting prompt's step (its `prompt` says what is asked); answer it with `handle.answer()`.
 */
export type RunEvent =
  | {type: 'update'; run: RunRecord}
  | {type: 'log'; line: RunLogLine}
  | {type: 'progress'; progress: RunProgress}
  | {type: 'step'; step: StepRecord}
  | {type: 'prompt'; step: StepRecord};

/** The event a step record makes: a prompt that waits is a `prompt`, any other step change a `step`. */
export function stepEvent(step: StepRecord): RunEvent {
  return step.kind === 'prompt' && step.status === 'waiting' ? {type: 'prompt', step} : {type: 'step', step};
}

/** Events a handle keeps to replay to a listener that starts late, and log lines fetched when following starts; log and progress past this are only delivered live. */
export const MAX_REPLAYED_EVENTS = 1_000;

/** What `result()` rejects with when the run failed or was cancelled. */
export class RunFailedError extends CapsuleError {
  /** The run's final record. */
  readonly run: RunRecord;
  /** `error.type` of the run: "error", "timeout", "out_of_memory", "compute_exhausted", "cancelled", "interrupted", "crashed", "nondeterminism", "sandbox_denied" or "sandbox_unavailable". */
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

/** A submitted run. Waiting for it costs one request; its events are only fetched once asked for. */
export interface RunHandle {
  /** The run's id (`run_…`). */
  readonly id: string;
  /** The latest record this handle received: as accepted, then as followed or waited for. */
  readonly run: RunRecord;
  /** Resolves with the final record (succeeded, failed or cancelled); rejects only if the daemon cannot say (connection lost, daemon stopping). */
  wait(): Promise<RunRecord>;
  /** Resolves with the run's result once it succeeds; rejects with a {@link RunFailedError} if it fails or is cancelled. */
  result(): Promise<unknown>;
  /** Cancels the run (a running attempt sees `ctx.signal` abort); resolves with the record once cancelled, or final. */
  cancel(): Promise<RunRecord>;
  /**
   * Answers the question the run waits on (`ctx.prompt`): see {@link CapsuleClient.answer}.
   * `step`: which prompt (its key, `prompt#1`, as the `prompt` event's `step.key` says), needed
   * only when several wait at once.
   */
  answer(value: string, options?: {step?: string}): Promise<RunRecord>;
  /** Sends a signal to the run's `ctx.waitFor(name)`: see {@link CapsuleClient.signal}. */
  signal(name: string, value?: unknown): Promise<{delivered: boolean}>;
  /**
   * Calls `listener` with the run's events. The first call starts following the run: the listener
   * gets the record as accepted, the run's log so far (its last {@link MAX_REPLAYED_EVENTS} lines),
   * every event from then on, and the current record when it is newer; a prompt that already
   * waits when following starts comes as a `prompt` event too. Returns the function that stops
   * the listener.
   */
  on(listener: (event: RunEvent) => void): () => void;
  /** The same events as `on()`, as an async iterator that ends after the final `update`; it throws if following fails. */
  events(): AsyncIterableIterator<RunEvent>;
}

/** What a handle asks of the client that made it. */
export interface RunSource {
  wait(id: string): Promise<RunRecord>;
  cancel(id: string): Promise<RunRecord>;
  answer(id: string, value: string, options?: {step?: string}): Promise<RunRecord>;
  signal(id: string, name: string, value?: unknown): Promise<{delivered: boolean}>;
  /** Starts routing the run's events to `run.push`, then calls `run.caughtUp`; calls `run.lose` if that fails. */
  follow(run: TrackedRun): void;
}

/** The handle's side the client drives. */
export class TrackedRun implements RunHandle, EventSource {
  readonly id: string;
  /** The newest record known, from any source. */
  #run: RunRecord;
  #final: Promise<RunRecord> | null = null;
  #settle: (run: RunRecord) => void = () => {};
  #fail: (error: Error) => void = () => {};
  #failure: Error | null = null;
  #following = false;
  /** The last `update` of the event stream; the stream ends with a final one. */
  #streamed: RunRecord;
  /** Events that arrived while following started, delivered once the log so far is. */
  #arriving: RunEvent[] | null = null;
  readonly #replay: RunEvent[] = [];
  /** Keys of the prompts delivered as waiting: one fetched when following starts may also arrive as an event. */
  readonly #promptsShown = new Set<string>();
  readonly #listeners = new Set<{listener: (event: RunEvent) => void; lost: (error: Error) => void}>();

  constructor(
    accepted: RunRecord,
    private readonly source: RunSource,
  ) {
    this.id = accepted.id;
    this.#run = accepted;
    this.#streamed = accepted;
    this.#remember({type: 'update', run: accepted});
  }

  get run(): RunRecord {
    return this.#run;
  }

  /** The event stream reached the final update: nothing more will be routed to this handle. */
  get streamEnded(): boolean {
    return isFinalRunStatus(this.#streamed.status);
  }

  get failure(): Error | null {
    return this.#failure;
  }

  wait(): Promise<RunRecord> {
    if (this.#final === null) {
      this.#final = new Promise<RunRecord>((resolve, reject) => {
        this.#settle = resolve;
        this.#fail = reject;
      });
      // A lost connection must not become an unhandled rejection when nobody awaits it.
      this.#final.catch(() => {});
      if (isFinalRunStatus(this.#run.status)) this.#settle(this.#run);
      else if (this.#failure) this.#fail(this.#failure);
      else if (!this.#following) this.source.wait(this.id).then((run) => this.#learn(run), (error: Error) => this.lose(error));
    }
    return this.#final;
  }

  async result(): Promise<unknown> {
    const run = await this.wait();
    if (run.status === 'succeeded') return run.result;
    throw new RunFailedError(run);
  }

  cancel(): Promise<RunRecord> {
    return this.source.cancel(this.id);
  }

  answer(value: string, options: {step?: string} = {}): Promise<RunRecord> {
    return this.source.answer(this.id, value, options);
  }

  signal(name: string, value?: unknown): Promise<{delivered: boolean}> {
    return this.source.signal(this.id, name, value);
  }

  on(listener: (event: RunEvent) => void): () => void {
    return this.listen(listener, () => {});
  }

  /** `on()`, and `lost` is called if the stream breaks off before its final update. */
  listen(listener: (event: RunEvent) => void, lost: (error: Error) => void): () => void {
    if (!this.#following && !this.#failure) {
      this.#following = true;
      this.#arriving = [];
      this.source.follow(this);
    }
    for (const event of this.#replay) listener(event);
    if (this.streamEnded || this.#failure) return () => {};
    const entry = {listener, lost};
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  events(): AsyncIterableIterator<RunEvent> {
    return new EventQueue(this);
  }

  /** An event of this run arrived from the daemon. */
  push(event: RunEvent): void {
    if (this.#arriving === null) this.#deliver(event);
    // Log lines are all kept, or the log would have a gap; the run's log limit bounds them.
    else if (event.type !== 'progress' || this.#arriving.length < MAX_REPLAYED_EVENTS) this.#arriving.push(event);
  }

  /**
   * Following started: the log so far, then what arrived meanwhile less the lines the log so far
   * holds (the daemon subscribed before reading it), then the record as it is now if that is newer,
   * then the prompts that wait (asked before the subscription) not delivered yet.
   */
  caughtUp(lines: RunLogLine[], current: RunRecord, waitingPrompts: StepRecord[] = []): void {
    const arrived = this.#arriving ?? [];
    this.#arriving = null;
    for (const line of lines) this.#deliver({type: 'log', line});
    const last = lastSeq(lines);
    for (const event of arrived) if (event.type !== 'log' || isNew(event.line, last)) this.#deliver(event);
    if (!sameState(current, this.#streamed)) this.#deliver({type: 'update', run: current});
    for (const step of waitingPrompts) this.#deliver(stepEvent(step));
  }

  /** The daemon can no longer tell how the run ends (connection lost, following failed). */
  lose(error: Error): void {
    if (this.#failure || (isFinalRunStatus(this.#run.status) && !this.#following) || this.streamEnded) return;
    this.#failure = error;
    if (!isFinalRunStatus(this.#run.status)) this.#fail(error);
    for (const {lost} of this.#listeners) lost(error);
    this.#listeners.clear();
  }

  #deliver(event: RunEvent): void {
    if (this.streamEnded) return;
    if (event.type === 'prompt') {
      if (this.#promptsShown.has(event.step.key)) return;
      this.#promptsShown.add(event.step.key);
    }
    if (event.type === 'update') {
      this.#streamed = event.run;
      this.#learn(event.run);
    }
    this.#remember(event);
    for (const {listener} of this.#listeners) listener(event);
    if (this.streamEnded) this.#listeners.clear();
  }

  /** A newer record, from the stream or from waiting. */
  #learn(run: RunRecord): void {
    if (isFinalRunStatus(this.#run.status)) return;
    this.#run = run;
    if (isFinalRunStatus(run.status)) this.#settle(run);
  }

  #remember(event: RunEvent): void {
    // State changes are few (two per attempt) and always kept: a late listener still sees how the run ended.
    if (event.type === 'update' || this.#replay.length < MAX_REPLAYED_EVENTS) this.#replay.push(event);
  }
}


/** Records that tell the same state: fetched records are compared with ones received as events. */
function sameState(a: RunRecord, b: RunRecord): boolean {
  return a.status === b.status && a.attempts.length === b.attempts.length && a.attempts.at(-1)?.finishedAt === b.attempts.at(-1)?.finishedAt && a.finishedAt === b.finishedAt;
}
