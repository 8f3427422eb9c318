import type {RunError, RunRecord, RunStatus} from '../../src/protocol/index.js';
import {attemptHooks, type AttemptContext} from './attempt-hooks.js';
import {backoffDelay} from './backoff.js';
import type {Clock} from '../core/clock.js';
import type {AttemptOutcome, Executor} from './executor-api.js';
import {skippedMessage} from './lock-key.js';
import {LockTable} from './locks.js';
import {ReadyQueue} from './ready-queue.js';
import {INTERRUPTED_MESSAGE} from './recovery.js';
import {shouldRetry} from './retry.js';
import {StopSwitch} from './stop-switch.js';
import type {RunCounts} from './run-counts.js';
import type {SharedLocks} from './runner-types.js';
import {cancelRun, failAttempt, failedAttempts, NO_USAGE, recordDroppedRequests, recordRequest, recordWorker, requestListFull, startAttempt, succeedRun, suspendRun, wakeRun, type AttemptUsage} from './run-state.js';
import type {RunSteps} from './run-steps.js';
import {crashedOutcome} from './submission.js';
import type {TaskRegistry} from './task-registry.js';
import {attemptRequest, type TaskSpec} from './task-spec.js';
import {WakeTimers} from './wake-timers.js';

/**
 * Where a run that is not final stands (its record says only scheduled, queued or running):
 * - accepting: its record is being written; it gets in line once on disk
 * - scheduled: delayed, its wake timer set; it takes its lock key's line and the ready queue when it wakes
 * - ready: in the ready queue · lock: behind its lock key's holder · backoff: waiting to retry
 * - running: an attempt is in the executor · parked: left queued for the next daemon (closing)
 * - suspended: sleeping or waiting (its record says which), no worker held; its lock key stays held
 * - done: final, no longer tracked
 */
type Phase = 'accepting' | 'scheduled' | 'ready' | 'lock' | 'backoff' | 'running' | 'parked' | 'suspended' | 'done';

interface ActiveRun {
  id: string;
  namespace: string;
  task: string;
  taskKey: string;
  parentId: string | null;
  priority: number;
  phase: Phase;
  lockKey: string | null;
  /** With shared locks: it holds its key across the nodes too. */
  sharedHeld: boolean;
  /** With shared locks: waiting for its key across the nodes; stops waiting. */
  stopSharedWait: (() => void) | null;
  cancelRetry: (() => void) | null;
  controller: StopSwitch | null;
  /** Why the running attempt was aborted: a cancel ends the run, a shutdown interrupts it. */
  stop: {reason: 'cancel' | 'close'; message: string} | null;
  /** The task as it was when the current attempt started. */
  spec: TaskSpec | null;
  /** Settles once the current attempt's outcome is recorded. */
  settled: Promise<void> | null;
  /** Requests of the current attempt past the ones its record lists: counted here, written once at its end, so a chatty task costs no record change (nor event) per request. */
  droppedRequests: number;
}

/** What the attempt starter needs from the runner, which owns the records. */
export interface AttemptStarterDeps {
  executor: Executor;
  clock: Clock;
  random: () => number;
  maxParallel: number;
  tasks: TaskRegistry;
  counts: RunCounts;
  record(runId: string): RunRecord;
  /** Records a run's new state: counted, persisted, announced. `sync: false`: a change nobody waits for, not synced on its own (RunStore.put). */
  save(next: RunRecord, previous: RunStatus, options?: {sync?: boolean}): void;
  /** The run reached its final state, already saved. */
  finished(run: RunRecord): void;
  /** What each attempt's `ctx` reaches: logs, progress, child runs. */
  attempt: Pick<AttemptContext, 'log' | 'progress' | 'submit' | 'waitFor'>;
  /** The runs' durable steps. */
  steps: RunSteps;
  /** With a backend: lock keys across its nodes. */
  sharedLocks?: SharedLocks | undefined;
  onError(error: unknown): void;
}

/**
 * Decides what runs when, and runs it: the ready queue, lock keys, per-task concurrency and the
 * daemon-wide parallelism; attempts in the executor; retries after a backoff; cancellation,
 * which reaches a run's children.
 */
export class AttemptStarter {
  readonly #deps: AttemptStarterDeps;
  /** Every run that is not final. */
  readonly #active = new Map<string, ActiveRun>();
  readonly #ready = new ReadyQueue();
  readonly #locks = new LockTable();
  /** Delayed runs' starts, suspended runs' wakes (a sleep's end, a wait's timeout). */
  readonly #wakeTimers: WakeTimers;
  /** Parent id → its children that are not final, so cancelling a parent reaches them. */
  readonly #children = new Map<string, Set<string>>();
  /** Running runs blocked awaiting children: each lends its slot so the children can run. */
  readonly #lending = new Set<string>();
  #starting = false;
  #startAgain = false;
  #closing = false;

  constructor(deps: AttemptStarterDeps) {
    this.#deps = deps;
    this.#wakeTimers = new WakeTimers(deps.clock);
  }

  /**
   * Starts tracking a run that is not final; its lock key (scoped to its namespace) is joined in
   * submission order, or, by a scheduled run, when it wakes: until then it holds up nobody.
   */
  track(run: RunRecord, lockKey: string | null): void {
    this.#active.set(run.id, {
      id: run.id,
      namespace: run.namespace,
      task: run.task,
      taskKey: `${run.namespace}/${run.task}`,
      parentId: run.parentId,
      priority: run.priority,
      phase: 'accepting',
      lockKey,
      sharedHeld: false,
      stopSharedWait: null,
      cancelRetry: null,
      controller: null,
      stop: null,
      spec: null,
      settled: null,
      droppedRequests: 0,
    });
    if (lockKey !== null && run.status !== 'scheduled') this.#locks.join(lockKey, run.id);
    if (run.parentId !== null && this.#active.has(run.parentId)) {
      const siblings = this.#children.get(run.parentId) ?? new Set();
      siblings.add(run.id);
      this.#children.set(run.parentId, siblings);
    }
  }

  isActive(runId: string): boolean {
    return this.#active.has(runId);
  }

  lockHolder(lockKey: string): string | undefined {
    return this.#locks.holder(lockKey);
  }

  /**
   * A tracked run a previous daemon left sleeping or waiting: it waits on (its wake timer set
   * again), or goes on at once if what it waited for ended meanwhile.
   */
  restoreSuspended(runId: string): void {
    const active = this.#active.get(runId);
    if (active?.phase !== 'accepting') return;
    active.phase = 'suspended';
    if (this.#deps.steps.waiting(runId).length === 0) this.resume(runId);
    else this.#armWake(active);
  }

  /**
   * A suspended run's sleep, wait or prompt ended (its time, a signal, an answer): it is queued
   * to replay its steps and go on. A run still running is left to its attempt, whose end sees
   * that nothing waits any more.
   */
  resume(runId: string): void {
    const active = this.#active.get(runId);
    if (active?.phase !== 'suspended') return;
    this.#wakeTimers.clear(runId);
    const run = this.#deps.record(runId);
    this.#deps.save(wakeRun(run), run.status);
    this.#line(active);
    this.#startWhatCan();
  }

    /** Puts a tracked run, now on disk, in line (a scheduled one: sets its wake timer), and starts whatever can start. */
  enqueue(runId: string): void {
    const active = this.#active.get(runId);
    if (active?.phase !== 'accepting') return;
    const {status, wakeAt} = this.#deps.record(runId);
    if (status === 'scheduled' && wakeAt !== null && !this.#closing) {
      active.phase = 'scheduled';
      this.#wakeTimers.set(runId, Date.parse(wakeAt), () => this.#wake(active));
      return;
    }
    this.#line(active);
    this.#startWhatCan();
  }

  /**
   * Cancels a run and, first, its children: a run not running ends at once; a running one has its
   * attempt aborted and ends when the attempt does.
   */
  cancel(runId: string, message: string): void {
    const active = this.#active.get(runId);
    if (!active) return;
    this.#cancelTree(active, message);
    this.#startWhatCan();
  }

  /** Cancels the runs not running (scheduled, queued, behind a lock, waiting to retry) that `match` picks. */
  cancelWaiting(match: (run: {namespace: string; task: string}) => boolean, message: (run: {namespace: string; task: string}) => string): void {
    for (const active of [...this.#active.values()]) {
      if (active.phase !== 'running' && active.phase !== 'done' && match(active)) this.#cancelTree(active, message(active));
    }
    this.#startWhatCan();
  }

  /** Starts ready runs while there is room. */
  #startWhatCan(): void {
    if (this.#starting) {
      this.#startAgain = true;
      return;
    }
    this.#starting = true;
    try {
      do {
        this.#startAgain = false;
        while (!this.#closing && this.#deps.counts.total.running - this.#lending.size < this.#deps.maxParallel) {
          const runId = this.#ready.take(
            (id) => this.#hasRoom(this.#active.get(id)!),
            (id) => this.#active.get(id)?.phase === 'ready',
          );
          if (runId === undefined) break;
          this.#start(this.#active.get(runId)!);
        }
      } while (this.#startAgain);
    } finally {
      this.#starting = false;
    }
  }

  /**
   * Starts nothing more; cancels retry and wake timers (those runs stay queued or scheduled);
   * lets running attempts finish for up to `timeoutMs`, then aborts them, recording `interrupted`.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    this.#closing = true;
    this.#wakeTimers.clearAll();
    for (const active of this.#active.values()) {
      if (active.phase === 'running' || active.phase === 'accepting' || active.phase === 'suspended') continue;
      active.cancelRetry?.();
      active.cancelRetry = null;
      active.phase = 'parked';
    }
    const running = () => [...this.#active.values()].filter((active) => active.phase === 'running');
    let cancelDeadline = () => {};
    const deadline = new Promise<'timeout'>((resolve) => {
      cancelDeadline = this.#deps.clock.schedule(timeoutMs, () => resolve('timeout'));
    });
    const finished = Promise.all(running().map((active) => active.settled)).then(() => 'finished' as const);
    const first = await Promise.race([finished, deadline]);
    cancelDeadline();
    if (first === 'finished') return;
    const left = running();
    for (const active of left) {
      active.stop ??= {reason: 'close', message: INTERRUPTED_MESSAGE};
      active.controller?.abort();
    }
    await Promise.all(left.map((active) => active.settled));
  }

  /** Ready if it holds its lock key (or has none), here and across the nodes, else behind the key's holder. */
  #line(active: ActiveRun): void {
    if (this.#closing) active.phase = 'parked';
    else if (active.lockKey !== null && (!this.#locks.holds(active.lockKey, active.id) || !this.#holdsShared(active, active.lockKey))) active.phase = 'lock';
    else {
      active.phase = 'ready';
      this.#ready.push(active.taskKey, active.id, active.priority);
    }
  }

  /** Whether the run, first in its key's line here, holds the key across the nodes; if not, asks for it (once) and lines it up again when granted. */
  #holdsShared(active: ActiveRun, key: string): boolean {
    const shared = this.#deps.sharedLocks;
    if (shared === undefined || active.sharedHeld) return true;
    active.stopSharedWait ??= shared.take(key, active.id, () => {
      active.stopSharedWait = null;
      active.sharedHeld = true;
      if (active.phase !== 'lock') return;
      this.#line(active);
      this.#startWhatCan();
    });
    return false;
  }

  /**
   * A scheduled run's time came: queued, then in its lock key's line (behind the runs already
   * in it) and the ready queue. With lockMode "skip" and the key held, it is skipped instead.
   */
  #wake(active: ActiveRun): void {
    if (active.phase !== 'scheduled') return;
    const run = this.#deps.record(active.id);
    if (active.lockKey !== null) {
      const holder = this.#locks.holder(active.lockKey);
      if (holder !== undefined && this.#deps.tasks.get(active.namespace, active.task)?.lockMode === 'skip') {
        this.#finalize(active, cancelRun(run, skippedMessage(active.lockKey.slice(active.namespace.length + 1), holder), NO_USAGE, this.#deps.clock.now()));
        return;
      }
      this.#locks.join(active.lockKey, active.id);
    }
    this.#deps.save(wakeRun(run), run.status);
    this.#line(active);
    this.#startWhatCan();
  }

  #hasRoom(active: ActiveRun): boolean {
    const concurrency = this.#deps.tasks.get(active.namespace, active.task)?.concurrency ?? null;
    return concurrency === null || this.#deps.counts.of(active.taskKey).running < concurrency;
  }

  #start(active: ActiveRun): void {
    const {clock, tasks, executor} = this.#deps;
    const root = tasks.root(active.namespace);
    const spec = tasks.get(active.namespace, active.task);
    const run = this.#deps.record(active.id);
    if (root === undefined || !spec) {
      this.#finalize(active, cancelRun(run, `task ${active.taskKey} is no longer defined`, NO_USAGE, clock.now()));
      return;
    }
    const started = startAttempt(run, clock.now());
    const controller = new StopSwitch();
    Object.assign(active, {phase: 'running', controller, spec, stop: null, droppedRequests: 0} satisfies Partial<ActiveRun>);
    // Nobody is told an attempt started: its record goes to disk with the next synced group.
    this.#deps.save(started, run.status, {sync: false});
    const attempt = started.attempts.length;
    const request = attemptRequest(spec, root, {runId: run.id, namespace: run.namespace, task: run.task, attempt, input: run.input, memo: this.#deps.steps.memo(run.id)});
    active.settled = executor
      .execute(request, this.#hooks(active, attempt), controller)
      .catch(crashedOutcome)
      .then((outcome) => this.#finishAttempt(active, outcome))
      .catch((error: unknown) => this.#deps.onError(error));
  }

  #finishAttempt(active: ActiveRun, outcome: AttemptOutcome): void {
    const run = recordDroppedRequests(this.#deps.record(active.id), active.droppedRequests);
    const now = this.#deps.clock.now();
    const usage = {cpuMs: outcome.cpuMs, peakMemoryMb: outcome.peakMemoryMb};
    const {stop, spec} = active;
    active.controller = null;
    this.#lending.delete(active.id);
    if (outcome.ok === true) this.#finalize(active, succeedRun(run, outcome.result, usage, now));
    else if (stop?.reason === 'cancel') this.#finalize(active, cancelRun(run, stop.message, usage, now));
    // Interrupted by a shutdown or not, a suspended attempt left everything on disk: it waits on.
    else if (outcome.ok === 'suspended') this.#suspend(active, run, usage, now);
    else {
      const error: RunError = stop?.reason === 'close' ? {type: 'interrupted', message: stop.message, stack: null} : outcome.error;
      // The retry budget is spent on failures only: sleeps and waits end attempts too.
      const failures = failedAttempts(run) + 1;
      const retry = shouldRetry({errorType: error.type, fatal: stop === null && outcome.fatal, attempt: failures, maxRetries: spec!.maxRetries});
      const next = failAttempt(run, error, usage, now, retry);
      if (!retry) this.#finalize(active, next);
      else {
        this.#deps.save(next, run.status);
        this.#retryLater(active, backoffDelay(spec!.backoff, failures, this.#deps.random));
      }
    }
    this.#startWhatCan();
  }

  #suspend(active: ActiveRun, run: RunRecord, usage: AttemptUsage, now: number): void {
    const {steps} = this.#deps;
    const waiting = steps.waiting(active.id);
    if (waiting.length === 0) {
      // Its signal or answer came while the attempt was ending: it goes on at once.
      this.#deps.save(wakeRun(suspendRun(run, 'sleeping', null, usage, now)), run.status);
      this.#line(active);
      return;
    }
    const to = waiting.some((step) => step.record.kind !== 'sleep') ? 'waiting' : 'sleeping';
    const wakeAt = steps.nextWake(active.id);
    this.#deps.save(suspendRun(run, to, wakeAt, usage, now), run.status);
    active.phase = 'suspended';
    this.#armWake(active, wakeAt);
  }

  #armWake(active: ActiveRun, at = this.#deps.steps.nextWake(active.id)): void {
    if (at === null || this.#closing) return;
    this.#wakeTimers.set(active.id, at, () => {
      const {ended, written} = this.#deps.steps.wakeDue(active.id);
      written.catch((error: unknown) => this.#deps.onError(error));
      if (ended) this.resume(active.id);
      else this.#armWake(active);
    });
  }

  #retryLater(active: ActiveRun, delayMs: number): void {
    if (this.#closing) {
      active.phase = 'parked';
      return;
    }
    active.phase = 'backoff';
    active.cancelRetry = this.#deps.clock.schedule(delayMs, () => {
      active.cancelRetry = null;
      if (active.phase !== 'backoff') return;
      this.#line(active);
      this.#startWhatCan();
    });
  }

  #hooks(active: ActiveRun, attempt: number) {
    const isCurrent = () => active.phase === 'running' && this.#deps.record(active.id).attempts.length === attempt;
    // Named, not spread: a spread followed by new keys is slow in V8 (see newRun in run-state.ts).
    const {log, progress, submit, waitFor} = this.#deps.attempt;
    return attemptHooks({
      log,
      progress,
      submit,
      waitFor,
      runId: active.id,
      namespace: active.namespace,
      attempt,
      now: () => this.#deps.clock.now(),
      isCurrent,
      // On disk before long, so the next daemon can end this worker should this one die.
      recordWorker: (worker) => {
        const run = this.#deps.record(active.id);
        this.#deps.save(recordWorker(run, worker), run.status, {sync: false});
      },
      // Not synced on its own: the attempt's end writes the record, its requests with it, synced.
      recordRequest: (request) => {
        const run = this.#deps.record(active.id);
        if (requestListFull(run)) active.droppedRequests++;
        else this.#deps.save(recordRequest(run, request), run.status, {sync: false});
      },
      durable: (op) => this.#deps.steps.apply(active.id, attempt, op),
      blocked: (blocked) => {
        if (!blocked) this.#lending.delete(active.id);
        else if (isCurrent()) {
          this.#lending.add(active.id);
          this.#startWhatCan();
        }
      },
    });
  }

  #cancelTree(active: ActiveRun, message: string): void {
    for (const childId of [...(this.#children.get(active.id) ?? [])]) {
      const child = this.#active.get(childId);
      if (child) this.#cancelTree(child, `cancelled with its parent run ${active.id}`);
    }
    if (active.phase === 'done') return;
    if (active.phase !== 'running') {
      this.#finalize(active, cancelRun(this.#deps.record(active.id), message, NO_USAGE, this.#deps.clock.now()));
    } else if (active.stop === null) {
      active.stop = {reason: 'cancel', message};
      active.controller?.abort();
    }
  }

  /** Records a final state and releases what the run held: its lock key passes to the next in line. */
  #finalize(active: ActiveRun, final: RunRecord): void {
    const previous = this.#deps.record(active.id).status;
    active.phase = 'done';
    active.cancelRetry?.();
    active.cancelRetry = null;
    this.#wakeTimers.clear(active.id);
    this.#deps.steps.forget(active.id);
    this.#active.delete(active.id);
    this.#lending.delete(active.id);
    this.#children.delete(active.id);
    if (active.parentId !== null) this.#children.get(active.parentId)?.delete(active.id);
    this.#deps.save(final, previous);
    if (active.lockKey !== null) {
      active.stopSharedWait?.();
      if (active.sharedHeld) this.#deps.sharedLocks?.release(active.lockKey, active.id);
      const holder = this.#locks.leave(active.lockKey, active.id);
      const next = holder === undefined ? undefined : this.#active.get(holder);
      if (next?.phase === 'lock') this.#line(next);
    }
    this.#deps.finished(final);
  }
}
