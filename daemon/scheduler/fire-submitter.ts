import {errorMessage, type Emit, type ScheduleEntry} from './entry.js';
import {applyOverlap} from './policies.js';
import type {SchedulerOptions} from './types.js';

/**
 * Turns fires that fell due into runs: applies the overlap policy against the schedule's
 * previous run, persists, then submits. Called only from a schedule's serial job chain.
 */
export class FireSubmitter {
  readonly #options: Pick<SchedulerOptions, 'submit' | 'runStatus' | 'store'>;
  readonly #emit: Emit;

  constructor(options: Pick<SchedulerOptions, 'submit' | 'runStatus' | 'store'>, emit: Emit) {
    this.#options = options;
    this.#emit = emit;
  }

  /** Fires due together (one, or a catch-up) go, wait or are skipped as one. */
  async submitFires(entry: ScheduleEntry, fires: number[], catchUp: boolean): Promise<void> {
    const {state} = entry;
    if (state.queuedFireAt !== null) await this.releaseQueued(entry);
    const previousRunId = state.lastRunId;
    const outcome = applyOverlap(entry.config.overlap, fires, await this.#isActive(previousRunId), state.queuedFireAt !== null);
    state.skippedCount += outcome.skip.length;
    if (outcome.queue !== undefined) state.queuedFireAt = outcome.queue;
    // Persisted before submitting: a crash in between loses these fires but never doubles them.
    await this.save(entry);
    for (const fireTime of outcome.skip) this.#emit(entry, 'skip', {fireTime, reason: 'overlap', previousRunId, catchUp});
    if (outcome.queue !== undefined) this.#emit(entry, 'queue', {fireTime: outcome.queue, previousRunId, catchUp});
    if (outcome.submit.length === 0) return;
    for (const fireTime of outcome.submit) await this.#submitFire(entry, fireTime, catchUp);
    await this.save(entry);
  }

  /** Submits the waiting fire if the run it waits for has ended. */
  async releaseQueued(entry: ScheduleEntry): Promise<void> {
    const {state} = entry;
    if (state.queuedFireAt === null || (await this.#isActive(state.lastRunId))) return;
    const fireTime = state.queuedFireAt;
    state.queuedFireAt = null;
    await this.save(entry);
    await this.#submitFire(entry, fireTime, false);
    await this.save(entry);
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
    const {runId} = await this.#options.submit(entry.namespace, entry.config.task, entry.config.input, {schedule: entry.key, fireTime, ...flags});
    entry.state.lastRunId = runId;
    this.#emit(entry, flags.manual ? 'trigger' : 'fire', {fireTime, runId, catchUp: flags.catchUp});
    return runId;
  }

  async #isActive(runId: string | null): Promise<boolean> {
    return runId !== null && (await this.#options.runStatus(runId)) !== 'done';
  }
}
