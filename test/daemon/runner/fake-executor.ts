import type {RunErrorType} from '../../../src/protocol/index.js';
import type {AttemptHooks, AttemptOutcome, AttemptRequest, Executor, OrphanedAttempt} from '../../../daemon/runner/executor-api.js';

/** One attempt handed to the fake executor, ended by the test (or by its abort signal). */
export class FakeAttempt {
  readonly request: AttemptRequest;
  readonly hooks: AttemptHooks;
  readonly signal: AbortSignal;
  readonly outcome: Promise<AttemptOutcome>;
  #resolve!: (outcome: AttemptOutcome) => void;
  #ended = false;
  readonly #onEnd: (attempt: FakeAttempt) => void;

  constructor(request: AttemptRequest, hooks: AttemptHooks, signal: AbortSignal, onEnd: (attempt: FakeAttempt) => void) {
    this.request = request;
    this.hooks = hooks;
    this.signal = signal;
    this.#onEnd = onEnd;
    this.outcome = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    // Like the real executor: an abort ends the attempt as cancelled.
    signal.addEventListener('abort', () => this.#end({ok: false, error: {type: 'cancelled', message: 'aborted', stack: null}, fatal: false, cpuMs: 1, peakMemoryMb: 10}), {once: true});
  }

  get ended(): boolean {
    return this.#ended;
  }

  succeed(result: unknown = null, usage = {cpuMs: 5, peakMemoryMb: 20}): void {
    this.#end({ok: true, result, ...usage});
  }

  fail(message: string, options: {type?: RunErrorType; fatal?: boolean} = {}): void {
    this.#end({ok: false, error: {type: options.type ?? 'error', message, stack: `Error: ${message}\n    at task`}, fatal: options.fatal ?? false, cpuMs: 3, peakMemoryMb: 30});
  }

  /** Ends the attempt at a durable sleep, wait or prompt it recorded (through `hooks.durable`). */
  suspend(): void {
    this.#end({ok: 'suspended', cpuMs: 1, peakMemoryMb: 10});
  }

  #end(outcome: AttemptOutcome): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#onEnd(this);
    this.#resolve(outcome);
  }
}

/** An executor whose attempts the test ends by hand; it records when each starts and ends. */
export class FakeExecutor implements Executor {
  readonly attempts: FakeAttempt[] = [];
  /** "start:<runId>", "end:<runId>" and "orphans:<runId>,…" (endOrphans) in the order they happened. */
  readonly timeline: string[] = [];
  /** What each endOrphans call was given. */
  readonly orphans: OrphanedAttempt[][] = [];
  /** endOrphans resolves once this does: a test holds it to see what waits for it. */
  orphansGone: Promise<void> = Promise.resolve();
  closed = false;

  execute(request: AttemptRequest, hooks: AttemptHooks, signal: AbortSignal): Promise<AttemptOutcome> {
    const attempt = new FakeAttempt(request, hooks, signal, (ended) => this.timeline.push(`end:${ended.request.runId}`));
    this.timeline.push(`start:${request.runId}`);
    this.attempts.push(attempt);
    return attempt.outcome;
  }

  async endOrphans(orphans: OrphanedAttempt[]): Promise<{ended: number; left: number}> {
    this.timeline.push(`orphans:${orphans.map((orphan) => orphan.runId).join(',')}`);
    this.orphans.push(orphans);
    await this.orphansGone;
    return {ended: orphans.filter((orphan) => orphan.worker !== null).length, left: 0};
  }

  /** Attempts started and not ended. */
  get running(): FakeAttempt[] {
    return this.attempts.filter((attempt) => !attempt.ended);
  }

  /** The latest attempt of a run. */
  of(runId: string): FakeAttempt | undefined {
    return this.attempts.findLast((attempt) => attempt.request.runId === runId);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
