import {availableParallelism} from 'node:os';
import {formatInstant} from '../../src/lib/duration.js';
import {runPriority, runStart} from '../../src/lib/submit-checks.js';
import {CapsuleError, alreadyDone, notFound} from '../../src/lib/errors.js';
import {isFinalRunStatus, MAX_RUN_LIST, type RunLogLine, type RunRecord, type RunStatus, type StepRecord, type TaskRef} from '../../src/protocol/index.js';
import type {Clock} from '../core/clock.js';
import {AttemptStarter} from './attempt-starter.js';
import {DEFAULT_IDEMPOTENCY_TTL_MS, IdempotencyIndex} from './idempotency.js';
import {lockKey, skippedMessage} from './lock-key.js';
import type {Executor, MemoStep} from './executor-api.js';
import {orphanedAttempts, planRecovery} from './recovery.js';
import {RunCounts} from './run-counts.js';
import {cancelRun, newRun, NO_USAGE} from './run-state.js';
import type {RunStore} from './run-store.js';
import {RunSteps} from './run-steps.js';
import {RunWaiters} from './run-waiters.js';
import {
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_LIST_LIMIT,
  MAX_QUEUED_RUNS,
  type RecoverySummary,
  type RunFilter,
  type RunnerEvent,
  type RunnerListener,
  type RunnerOptions,
  type SubmitOptions,
  type TaskStats,
} from './runner-types.js';
import {jsonInput, newRunId} from './submission.js';
import {compareStrings} from '../../src/lib/compare.js';
import {TaskRegistry} from './task-registry.js';
import type {TaskSpec} from './task-spec.js';

/**
 * The task runner as the daemon sees it: accepts runs (persisted before `submit` resolves),
 * answers queries, announces changes, resumes after a restart and shuts down cleanly. What runs
 * when, and running it, is the attempt starter's job.
 */
export class Runner {
  readonly #store: RunStore;
  readonly #executor: Executor;
  readonly #clock: Clock;
  readonly #maxQueued: number;
  readonly #onError: (error: unknown) => void;
  readonly #tasks = new TaskRegistry();
  readonly #counts = new RunCounts();
  readonly #waiters = new RunWaiters();
  readonly #listeners = new Set<RunnerListener>();
  readonly #starter: AttemptStarter;
  readonly #steps: RunSteps;
  readonly #idempotency: IdempotencyIndex;
  readonly #sharedLocks: RunnerOptions['sharedLocks'];
  #closing = false;
  #closed: Promise<void> | null = null;
  /** Unfinished runs found on disk, by namespace, until `recover` settles them (null: not read yet). */
  #unrecovered: Map<string, string[]> | null = null;

  constructor(options: RunnerOptions) {
    this.#store = options.store;
    this.#executor = options.executor;
    this.#clock = options.clock;
    this.#maxQueued = options.maxQueued ?? MAX_QUEUED_RUNS;
    this.#onError = options.onError ?? console.error;
    this.#sharedLocks = options.sharedLocks;
    this.#idempotency = new IdempotencyIndex(options.store.runs(), options.clock.now(), (runId) => options.store.get(runId) !== undefined);
    const maxParallel = options.maxParallel ?? availableParallelism();
    if (!Number.isInteger(maxParallel) || maxParallel < 1) throw new CapsuleError('bad_input', `maxParallel must be an integer of at least 1, got ${maxParallel}`);
    this.#steps = new RunSteps({store: this.#store, clock: this.#clock, announce: (step) => this.#emit({type: 'step', step})});
    this.#starter = new AttemptStarter({
      steps: this.#steps,
      executor: options.executor,
      clock: options.clock,
      random: options.random ?? Math.random,
      maxParallel,
      sharedLocks: options.sharedLocks,
      tasks: this.#tasks,
      counts: this.#counts,
      record: (runId) => this.get(runId),
      save: (next, previous, options) => this.#save(next, previous, options).catch(this.#onError),
      finished: (run) => {
        this.#store.logs.end(run.id);
        // Acknowledged once on disk: the group a flush waits for now is the one holding this record.
        this.#store.flush().then(
          () => this.#waiters.settle(run),
          (error: unknown) => this.#waiters.reject(run.id, error),
        );
      },
      attempt: {
        log: (line) => {
          for (const shown of this.#store.logs.append(line)) this.#emit({type: 'log', line: shown});
        },
        progress: (progress) => this.#emit({type: 'progress', progress}),
        submit: (target, input, parentId) => this.submit(target, input, {parentId}),
        waitFor: (runId) => this.waitFor(runId),
      },
      onError: this.#onError,
    });
  }

  /** Sets a project's tasks (on load and reload). Waiting runs of a task that is gone are cancelled. */
  setProjectTasks(namespace: string, root: string, tasks: TaskSpec[]): void {
    this.#tasks.set(namespace, root, tasks);
    this.#executor.tasksChanged?.(namespace, true);
    this.#starter.cancelWaiting(
      (run) => run.namespace === namespace && !this.#tasks.get(namespace, run.task),
      (run) => `task ${namespace}/${run.task} is no longer defined in project "${namespace}"`,
    );
  }

  /** Forgets a project. Its history stays; its waiting runs are cancelled; running attempts finish and are not retried. */
  removeProject(namespace: string): void {
    this.#tasks.remove(namespace);
    this.#executor.tasksChanged?.(namespace, false);
    this.#starter.cancelWaiting((run) => run.namespace === namespace, () => `project "${namespace}" was removed`);
  }

  /**
   * Accepts a run; resolves with its record once that is on disk. Lock keys: with `lockMode: "queue"` (the
   * default) a run waits behind the runs submitted before it with the same key; with "skip", a
   * run whose key is held or awaited by another run is recorded at once as cancelled, its error
   * saying which run holds the key. That keeps a burst of identical requests from piling up.
   * A delayed run (`delayMs`, `runAt`) is `scheduled`, holding up nobody, until its time; with an
   * `idempotencyKey` a submit may resolve with an earlier run (see SubmitOptions).
   */
  async submit(target: TaskRef, input: unknown, options: SubmitOptions = {}): Promise<RunRecord> {
    this.#assertOpen();
    const spec = this.#tasks.require(target);
    const now = this.#clock.now();
    const runAt = runStart(options.delayMs, options.runAt, now, {delay: 'delayMs', runAt: 'runAt'});
    const priority = runPriority(options.priority, 'priority');
    const taskKey = `${target.namespace}/${target.task}`;
    const idempotencyKey = options.idempotencyKey ?? null;
    if (idempotencyKey !== null) {
      const existing = this.#idempotency.find(taskKey, idempotencyKey, now);
      if (existing !== undefined) {
        options.onAccepted?.(existing);
        // A submit in the same turn as the first may get here before that run is on disk.
        await this.#store.flush();
        return this.get(existing);
      }
    }
    if (this.#counts.pending >= this.#maxQueued) {
      throw new CapsuleError('conflict', `the run queue is full: ${this.#counts.pending} runs are waiting (the limit is ${this.#maxQueued})`, {
        hint: 'wait for queued runs to finish, or cancel some with `capsule cancel RUN`',
      });
    }
    const parentId = options.parentId ?? null;
    if (parentId !== null && !this.#store.get(parentId)) throw notFound(`no run ${parentId} to be the parent of a new run`);
    const json = jsonInput(input);
    const key = spec.lock === null ? null : lockKey(spec.lock, json);
    // Scoped to the namespace, so two projects' "report:{id}" never collide.
    const scopedKey = key === null ? null : `${target.namespace}/${key}`;
    if (options.id !== undefined && this.#store.get(options.id)) throw new CapsuleError('conflict', `run ${options.id} already exists`);
    const idempotency = idempotencyKey === null ? null : {key: idempotencyKey, expiresAt: now + (options.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS)};
    const run = newRun({id: options.id ?? newRunId(now), namespace: target.namespace, task: target.task, input: json, parentId, runAt, idempotency, priority}, now);
    // Indexed before the first await: a second submit with the key in this turn finds this run.
    if (idempotency !== null) this.#idempotency.add(taskKey, idempotency.key, run.id, idempotency.expiresAt, now);
    options.onAccepted?.(run.id);
    // A delayed run takes its key's line when it wakes: it is checked then (attempt-starter.ts).
    const skipping = scopedKey !== null && spec.lockMode === 'skip' && run.status === 'queued';
    // Another node's first, so the check here and the tracking below stay in one turn: of two submits here, the second sees the first.
    const elsewhere = skipping && this.#sharedLocks !== undefined ? await this.#heldElsewhere(scopedKey) : undefined;
    const holder = skipping ? (elsewhere ?? this.#starter.lockHolder(scopedKey)) : undefined;
    if (holder !== undefined) {
      const skipped = cancelRun(run, skippedMessage(key!, holder), NO_USAGE, now);
      await this.#save(skipped, null);
      return skipped;
    }
    this.#starter.track(run, scopedKey);
    try {
      await this.#save(run, null);
    } catch (error) {
      this.#starter.cancel(run.id, 'not accepted: its record could not be written');
      if (idempotency !== null) this.#idempotency.remove(taskKey, idempotency.key, run.id);
      throw error;
    }
    // The record as accepted and written: queued or scheduled (or cancelled, if a cancel came first).
    const accepted = this.get(run.id);
    this.#starter.enqueue(run.id);
    return accepted;
  }

  /** The run holding the key on another node; none when the backend does not answer (then the run waits its turn). */
  async #heldElsewhere(scopedKey: string): Promise<string | undefined> {
    try {
      return await this.#sharedLocks!.heldElsewhere(scopedKey);
    } catch {
      return undefined;
    }
  }

  /**
   * Cancels a run and the runs it submitted; resolves with its final record. A waiting run ends
   * at once; a running one has its signal aborted and ends with its attempt. A run that had
   * already ended, or that ends otherwise than cancelled (its attempt returned before it saw the
   * abort), is refused with `conflict` saying how and when it ended: nothing was cancelled.
   */
  async cancel(runId: string): Promise<RunRecord> {
    const run = this.get(runId);
    if (isFinalRunStatus(run.status)) throw notCancelled(run, {before: true});
    this.#starter.cancel(runId, 'cancelled on request');
    // Ended at once or with its attempt, it is acknowledged once on disk either way.
    const ended = await this.waitFor(runId);
    if (ended.status !== 'cancelled') throw notCancelled(ended, {before: false});
    return ended;
  }

  /** A new run of the same task with the same input. */
  rerun(runId: string): Promise<RunRecord> {
    const run = this.get(runId);
    return this.submit({namespace: run.namespace, task: run.task}, run.input);
  }

  get(runId: string): RunRecord {
    const run = this.#store.get(runId);
    if (!run) throw notFound(`no run ${runId}`, 'finished runs are kept for a limited time; `capsule runs` lists the ones kept');
    return run;
  }

  /** The run's steps, sleeps, waits and prompts, in the order they were called. */
  steps(runId: string): StepRecord[] {
    this.get(runId);
    return this.#store
      .steps(runId)
      .toSorted((a, b) => a.index - b.index || compareStrings(a.record.startedAt, b.record.startedAt))
      .map((step) => step.record);
  }

  /**
   * Sends a signal to the run's `ctx.waitFor(name)`; resolves once it is on disk. A run not at
   * that wait yet keeps it for when it gets there. A finished run, or a run stopped at other
   * waits only (a misspelt name, most likely), refuses it.
   */
  async signal(runId: string, name: string, value: unknown): Promise<{run: RunRecord; delivered: boolean}> {
    this.#assertOpen();
    const run = this.get(runId);
    if (isFinalRunStatus(run.status)) throw notWaiting(run, `signal "${name}"`);
    const waits = this.#steps.waiting(runId).filter((step) => step.record.kind === 'wait');
    if (run.status === 'waiting' && waits.length > 0 && !waits.some((step) => step.record.signal === name)) {
      const names = waits.map((step) => `"${step.record.signal}"`).join(', ');
      throw new CapsuleError('bad_input', `run ${runId} waits for signal ${names}, not "${name}"`, {hint: `send one of them: \`capsule signal ${runId} ${waits[0]!.record.signal} --value JSON\``});
    }
    const delivered = await this.#steps.signal(runId, name, jsonInput(value));
    if (delivered) this.#starter.resume(runId);
    return {run: this.get(runId), delivered};
  }

  /** Answers the run's waiting `ctx.prompt` (`step`: its key, when several wait); resolves once on disk. */
  async answer(runId: string, step: string | undefined, value: string): Promise<RunRecord> {
    this.#assertOpen();
    const run = this.get(runId);
    if (isFinalRunStatus(run.status)) throw notWaiting(run, 'an answer');
    if (this.#steps.prompts(runId).length === 0) {
      throw new CapsuleError('bad_input', `run ${runId} is ${run.status} and asks no question`, {hint: `\`capsule runs --status waiting\` lists the runs waiting for an answer`});
    }
    await this.#steps.answer(runId, step, value);
    this.#starter.resume(runId);
    return this.get(runId);
  }

  /** Runs, newest first. */
  list(filter: RunFilter = {}): RunRecord[] {
    const limit = filter.limit ?? DEFAULT_LIST_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RUN_LIST) throw new CapsuleError('bad_input', `limit must be an integer from 1 to ${MAX_RUN_LIST}, got ${limit}`);
    return this.#store.list(filter, limit);
  }

  /** The run's log lines, or its last `tail` lines. */
  async logs(runId: string, tail?: number): Promise<RunLogLine[]> {
    this.get(runId);
    if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) throw new CapsuleError('bad_input', `tail must be a whole number of lines, got ${tail}`);
    return this.#store.logs.read(runId, tail);
  }

  /** Resolves with the run's final record; rejects if the runner closes first. */
  waitFor(runId: string): Promise<RunRecord> {
    const run = this.get(runId);
    // Final in memory may not be on disk yet: the flush waits for the write that holds it, if one is pending.
    if (isFinalRunStatus(run.status)) return this.#store.flush().then(() => run);
    if (this.#closed) return Promise.reject(stoppedBefore(run));
    return this.#waiters.wait(runId);
  }

  /** Subscribes to run changes, log lines and progress; returns the unsubscribe function. */
  on(listener: RunnerListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A task as loaded here, and its project's directory. */
  task(namespace: string, task: string): {spec: TaskSpec; root: string} | undefined {
    const spec = this.#tasks.get(namespace, task);
    const root = this.#tasks.root(namespace);
    return spec === undefined || root === undefined ? undefined : {spec, root};
  }

  /** What the run's next attempt replays (RunSteps.memo). */
  memo(runId: string): MemoStep[] {
    return this.#steps.memo(runId);
  }

  /** Attempts running now, of every task. */
  get running(): number {
    return this.#counts.total.running;
  }

  taskStats(namespace: string, task: string): TaskStats {
    const last = this.#store.lastFinished(namespace, task);
    return {...this.#counts.of(`${namespace}/${task}`), lastRun: last ? {id: last.id, status: last.status, createdAt: last.createdAt, finishedAt: last.finishedAt ?? last.createdAt} : null};
  }

  /**
   * Resumes the runs a previous daemon left scheduled, queued or running, per the policy documented on
   * `planRecovery` (recovery.ts). Call at start once a project's tasks are set, with its `namespace`
   * (its runs only: the others' tasks may not be known yet), then once without, when every project
   * has loaded, for the runs of namespaces that did not (their tasks are gone). A run recovered
   * before is tracked, and passed over.
   */
  async recover(namespace?: string): Promise<RecoverySummary> {
    this.#assertOpen();
    const left = this.#takeUnrecovered(namespace).flatMap((id) => {
      const run = this.#store.get(id);
      return run === undefined || isFinalRunStatus(run.status) || this.#starter.isActive(run.id) ? [] : [run];
    });
    // Before any run is tried again: what its interrupted attempt left running must be gone.
    const orphans = orphanedAttempts(left);
    const processes = orphans.length === 0 ? {ended: 0, left: 0} : await this.#executor.endOrphans(orphans);
    if (processes.left > 0) this.#onError(new Error(`${processes.left} processes left by the previous daemon's attempts are still there after SIGKILL; their runs are tried again anyway`));
    const summary: RecoverySummary = {requeued: 0, suspended: 0, failed: 0, cancelled: 0, processesEnded: processes.ended};
    const now = this.#clock.now();
    const requeued: string[] = [];
    const suspended: string[] = [];
    const writes: Promise<void>[] = [];
    for (const stored of left) {
      const plan = planRecovery(stored, this.#tasks.get(stored.namespace, stored.task), now);
      if (plan.action === 'requeue' || plan.action === 'suspended') {
        this.#starter.track(plan.run, plan.lockKey === null ? null : `${stored.namespace}/${plan.lockKey}`);
        (plan.action === 'requeue' ? requeued : suspended).push(stored.id);
      }
      summary[plan.action === 'requeue' ? 'requeued' : plan.action]++;
      // Counted from null: runs loaded from disk are not counted yet.
      writes.push(this.#save(plan.run, null));
    }
    await Promise.all(writes);
    for (const runId of requeued) this.#starter.enqueue(runId);
    for (const runId of suspended) this.#starter.restoreSuspended(runId);
    return summary;
  }

  /** The ids of the unfinished runs found on disk not yet recovered, of `namespace` (or all), taken from the ones left to recover. */
  #takeUnrecovered(namespace: string | undefined): string[] {
    if (this.#unrecovered === null) {
      // Read once: one pass over the history, not one per project.
      this.#unrecovered = new Map();
      for (const run of this.#store.runs()) {
        if (isFinalRunStatus(run.status)) continue;
        const ids = this.#unrecovered.get(run.namespace);
        if (ids) ids.push(run.id);
        else this.#unrecovered.set(run.namespace, [run.id]);
      }
    }
    if (namespace !== undefined) {
      const ids = this.#unrecovered.get(namespace) ?? [];
      this.#unrecovered.delete(namespace);
      return ids;
    }
    const all = [...this.#unrecovered.values()].flat();
    this.#unrecovered.clear();
    return all;
  }

  /**
   * Stops accepting runs, lets running attempts finish for up to `timeoutMs`, then interrupts the
   * rest (error type `interrupted`: queued again for the next daemon if retries remain, else
   * failed), and writes everything. Queued runs, and runs waiting to retry, stay queued on disk
   * for `recover()`, scheduled runs scheduled (their wake timers cleared). The executor and the store belong to the caller, which closes them after.
   */
  close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    this.#closed ??= this.#shutdown(timeoutMs);
    return this.#closed;
  }

  async #shutdown(timeoutMs: number): Promise<void> {
    this.#closing = true;
    await this.#starter.shutdown(timeoutMs);
    // Written first, so the runs that ended are settled with their outcome rather than refused.
    await this.#store.flush();
    this.#waiters.rejectAll((runId) => stoppedBefore(this.#store.get(runId)));
  }

  #assertOpen(): void {
    if (this.#closing) throw new CapsuleError('conflict', 'the runner is shutting down and accepts no new runs', {hint: 'start the daemon again with `capsule daemon start`'});
  }

  /**
   * Counts, persists and announces a run's new state; resolves once it is on disk. A final state
   * is announced only then: an attached `capsule run` takes that event as the run's outcome.
   */
  #save(next: RunRecord, previous: RunStatus | null, options?: {sync?: boolean}): Promise<void> {
    this.#counts.move(`${next.namespace}/${next.task}`, previous, next.status);
    const written = this.#store.put(next, options);
    if (!isFinalRunStatus(next.status)) this.#emit({type: 'run', run: next});
    else {
      // Announced even if the write failed (that goes to onError): the event says what the daemon holds.
      const announce = () => this.#emit({type: 'run', run: next});
      written.then(announce, announce);
    }
    return written;
  }

  #emit(event: RunnerEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#onError(error);
      }
    }
  }
}

function notWaiting(run: RunRecord, what: string): CapsuleError {
  const when = run.finishedAt === null ? '' : ` at ${formatInstant(run.finishedAt)}`;
  return new CapsuleError('bad_input', `run ${run.id} already ${run.status}${when}; it takes no ${what}`, {hint: '`capsule runs --status waiting` lists the runs waiting for a signal or an answer'});
}

function stoppedBefore(run: RunRecord | undefined): CapsuleError {
  return new CapsuleError('conflict', `the daemon stopped before run ${run?.id ?? ''} finished; it is ${run?.status ?? 'gone'} and resumes when the daemon starts again`, {
    hint: 'start the daemon with `capsule daemon start`, then follow the run with `capsule show RUN`',
  });
}

/** A cancel that did nothing: the run had ended before it came (`before`), or ended on its own while it was on its way. */
function notCancelled(run: RunRecord, {before}: {before: boolean}): CapsuleError {
  const when = run.finishedAt === null ? '' : ` at ${formatInstant(run.finishedAt)}`;
  if (run.status === 'cancelled') return alreadyDone(`run ${run.id} was already cancelled${when}`, `\`capsule show ${run.id}\` says why`);
  const hint = `\`capsule show ${run.id}\` has its outcome; \`capsule restart ${run.id}\` runs it again`;
  return alreadyDone(before ? `run ${run.id} already ${run.status}${when}; nothing to cancel` : `run ${run.id} ${run.status}${when}, before the cancel reached it`, hint);
}
