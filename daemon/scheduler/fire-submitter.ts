import {errorMessage, type Emit, type ScheduleEntry} from './entry.js';
import {applyOverlap} from './policies.js';
import type {SchedulerOptions} from './types.js';

/**
 * Turns fires that fell due into runs: applies the overlap policy against the schedule's
 * previous run, persists, then submits. Called only from a schedule's serial job chain.
 */
export class FireSubmitter {
  readonly #options: Pick<SchedulerOptions, 'submit' | 'runStatus' | 'store' | 'firesHere'>;
  readonly #emit: Emit;

  constructor(options: Pick<SchedulerOptions, 'submit' | 'runStatus' | 'store' | 'firesHere'>, emit: Emit) {
    this.#options = options;
    this.#emit = emit;
  }

  /** Fires due together (one, or a catch-up) go, wait or are skipped as one. */
  async submitFires(entry: ScheduleEntry, fires: number[], catchUp: boolean): Promise<void> {
    const {state} = entry;
    if (this.#options.firesHere && !(await this.#options.firesHere(entry.key))) {
      // Another node fires it: these fires are its to submit, and this node's state moves past them.
      await this.save(entry);
      this.#emit(entry, 'pass', {fireTimes: fires});
      return;
    }
    if (state.queuedFireAt !== null) await this.releaseQueued(entry);
    const previousRunId = state.lastRunId;
    const outcome = applyOverlap(entry.config.overlap, fires, await this.#isActive(previousRunId), state.queuedFireAt !== null);
    state.skippedCount += outcome.skip.length;
    if (outcome.queue !== undefined) state.queuedFireAt = outcome.queue;
    // Persisted before submitting, as pending: a crash in between neither loses these fires nor doubles them.
    state.pendingFires = outcome.submit;
    await this.save(entry);
    for (const fireTime of outcome.skip) this.#emit(entry, 'skip', {fireTime, reason: 'overlap', previousRunId, catchUp});
    if (outcome.queue !== undefined) this.#emit(entry, 'queue', {fireTime: outcome.queue, previousRunId, catchUp});
    await this.submitPending(entry, catchUp);
  }

  /**
   * Submits the fires persisted as pending, then clears them. At start these are fires a crashed
   * daemon may or may not have submitted: the submit port finds the runs it did make.
   */
  async submitPending(entry: ScheduleEntry, catchUp: boolean): Promise<void> {
    const {state} = entry;
    if (state.pendingFires.length === 0) return;
    for (const fireTime of state.pendingFires) await this.#submitFire(entry, fireTime, catchUp);
    state.pendingFires = [];
    await this.save(entry);
  }

  /** Submits the waiting fire if the run it waits for has ended. */
  async releaseQueued(entry: ScheduleEntry): Promise<void> {
    const {state} = entry;
    if (state.queuedFireAt === null || (await this.#isActive(state.lastRunId))) return;
    state.pendingFires = [state.queuedFireAt];
    state.queuedFireAt = null;
    await this.save(entry);
    await this.submitPending(entry, false);
  }

  /** A manual run: no overlap check, and a failure goes back to the caller. */
  async trigger(entry: ScheduleEntry, now: number): Promise<string> {
    const runId = await this.#submit(entry, now, {catchUp: false, manual: true});
    await this.save(entry);
    return runId;
  }

  async save(entry: ScheduleEntry): Promise<void> {
    await this.#options.store.save(entry.key, {...entry.state});
  }

  /** A cron fire whose submit fails (say, its task was renamed) is reported and the schedule goes on. */
  async #submitFire(entry: ScheduleEntry, fireTime: number, catchUp: boolean): Promise<void> {
    try {
      await this.#submit(entry, fireTime, {catchUp, manual: false});
    } catch (error) {
      this.#emit(entry, 'error', {fireTime, message: errorMessage(error)});
    }
  }

  async #submit(entry: ScheduleEntry, fireTime: number, flags: {catchUp: boolean; manual: boolean}): Promise<string> {
    const {runId, existed} = await this.#options.submit(entry.namespace, entry.config.task, entry.config.input, {schedule: entry.key, fireTime, ...flags});
    entry.state.lastRunId = runId;
    // A fire found made after a crash: its first event may or may not have been written.
    this.#emit(entry, flags.manual ? 'trigger' : 'fire', {fireTime, runId, catchUp: flags.catchUp, ...(existed ? {recovered: true} : {})});
    return runId;
  }

  async #isActive(runId: string | null): Promise<boolean> {
    return runId !== null && (await this.#options.runStatus(runId)) !== 'done';
  }
}
