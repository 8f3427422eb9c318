import {isDeepStrictEqual} from 'node:util';
import type {ScheduleConfig} from '../../src/config/schedules.js';
import {alreadyDone, badInput, CapsuleError, notFound} from '../../src/lib/errors.js';
import {nearestName} from '../../src/lib/suggest.js';
import {MAX_NEXT_FIRES} from '../../src/protocol/index.js';
import {FireSubmitter} from './fire-submitter.js';
import {errorMessage, freshState, listingOf, settle, type ScheduleEntry} from './entry.js';
import {CronSchedule} from './next-fire.js';
import {CATCH_UP_CAP, catchUpFires, jitterDelay} from './policies.js';
import type {ScheduleEventType, ScheduleListing, ScheduleState, SchedulerOptions} from './types.js';
import {compareStrings} from '../../src/lib/compare.js';

/** The longest a timer sleeps before re-reading the wall clock, so a suspend or clock step is noticed within it. */
const RECHECK_MS = 60_000;
/** A fire this late is late, not missed (a busy event loop); later than this it goes to catch-up. */
const ON_TIME_TOLERANCE_MS = 5_000;

/**
 * Fires schedules on time and submits their runs. Timing decisions are made synchronously in
 * timer callbacks (so a slow store or submit never delays the next fire); the resulting jobs,
 * which touch the store and the runner, run in order per schedule.
 */
export class Scheduler {
  readonly #options: SchedulerOptions;
  readonly #random: () => number;
  readonly #submitter: FireSubmitter;
  readonly #entries = new Map<string, ScheduleEntry>();
  /** The same entries by namespace: `list` describes each project's schedules, and a filter of all of them per project was quadratic in the projects. */
  readonly #byNamespace = new Map<string, Set<ScheduleEntry>>();
  /** Every schedule's state by key, including schedules whose project is unloaded. */
  readonly #states = new Map<string, ScheduleState>();
  readonly #inFlight = new Set<Promise<unknown>>();
  #started = false;
  #closed = false;

  constructor(options: SchedulerOptions) {
    this.#options = options;
    this.#random = options.random ?? Math.random;
    this.#submitter = new FireSubmitter(options, (entry, type, details) => this.#emit(entry, type, details));
  }

  /** Loads persisted state, catches up fires missed while the daemon was down, and arms every schedule. */
  async start(): Promise<void> {
    this.#assertOpen();
    if (this.#started) throw new CapsuleError('internal', 'the scheduler is already started');
    const loaded = await this.#options.store.load();
    for (const [key, state] of Object.entries(loaded)) this.#states.set(key, {...freshState(), ...state});
    this.#started = true;
    for (const entry of this.#entries.values()) {
      entry.state = this.#stateFor(entry.key);
      this.#activate(entry);
    }
  }

  /**
   * Replaces a project's schedules. New ones are armed (catching up from persisted state if
   * they had some), removed ones disarmed, changed ones rescheduled from their new definition.
   * Throws before changing anything if a cron expression or zone is invalid.
   */
  setProjectSchedules(namespace: string, schedules: Record<string, ScheduleConfig>): void {
    this.#assertOpen();
    const compiled = Object.entries(schedules).map(([name, config]) => ({
      name,
      config,
      cron: new CronSchedule(config.cron, config.timezone, `${namespace}/${name}`),
    }));
    for (const entry of this.#entriesOf(namespace)) {
      if (!Object.hasOwn(schedules, entry.name)) this.#drop(entry);
    }
    for (const {name, config, cron} of compiled) {
      const key = `${namespace}/${name}`;
      const existing = this.#entries.get(key);
      if (!existing) {
        const entry: ScheduleEntry = {key, namespace, name, config, cron, state: this.#stateFor(key), nextFireAt: null, wakeAt: null, cancelWake: undefined, work: Promise.resolve()};
        this.#entries.set(key, entry);
        this.#byNamespace.set(namespace, (this.#byNamespace.get(namespace) ?? new Set()).add(entry));
        if (this.#started) this.#activate(entry);
      } else if (!isDeepStrictEqual(existing.config, config)) {
        this.#disarm(existing);
        existing.config = config;
        existing.cron = cron;
        if (this.#started) {
          // Fires of the old definition are not caught up under the new one.
          settle(existing.state, null, this.#options.clock.now());
          void this.#enqueue(existing, () => this.#submitter.save(existing));
          this.#arm(existing, this.#options.clock.now());
        }
      }
    }
  }

  /**
   * Disarms a project's schedules. Their state (pause, last fire) is kept for when the project
   * comes back, unless `forget` (the project was removed for good).
   */
  async removeProject(namespace: string, options: {forget?: boolean} = {}): Promise<void> {
    const entries = this.#entriesOf(namespace);
    for (const entry of entries) this.#drop(entry);
    if (!options.forget) return;
    // After the jobs under way, which may still save.
    await Promise.all(entries.map((entry) => entry.work));
    const keys = [...this.#states.keys()].filter((key) => key.startsWith(`${namespace}/`));
    for (const key of keys) this.#states.delete(key);
    await Promise.all(keys.map((key) => this.#options.store.delete(key)));
  }

  async pause(namespace: string, name: string): Promise<void> {
    const entry = this.#find(namespace, name);
    if (entry.state.paused) throw alreadyDone(`${namespace}/${name} is already paused`, `resume it with \`capsule schedule resume ${namespace}/${name}\``);
    entry.state.paused = true;
    this.#disarm(entry);
    this.#emit(entry, 'pause', {});
    await this.#enqueue(entry, () => this.#submitter.save(entry));
  }

  /** Fires missed while paused are not caught up. */
  async resume(namespace: string, name: string): Promise<void> {
    const entry = this.#find(namespace, name);
    if (!entry.state.paused) throw alreadyDone(`${namespace}/${name} is not paused`, `pause it with \`capsule schedule pause ${namespace}/${name}\``);
    const now = this.#options.clock.now();
    entry.state.paused = false;
    settle(entry.state, null, now);
    this.#emit(entry, 'resume', {});
    this.#arm(entry, now);
    await this.#enqueue(entry, () => this.#submitter.save(entry));
  }

  /** Submits a run now, whatever the cron, pause and overlap say; the operator asked for it. */
  async trigger(namespace: string, name: string): Promise<{runId: string}> {
    const entry = this.#find(namespace, name);
    const now = this.#options.clock.now();
    return this.#enqueue(entry, async () => ({runId: await this.#submitter.trigger(entry, now)}));
  }

  /** Whether `key` ("namespace/name") is a schedule that fires: known, enabled and not paused. */
  isArmed(key: string): boolean {
    const entry = this.#entries.get(key);
    return entry !== undefined && entry.config.enabled && !entry.state.paused;
  }

  /** Tells the scheduler a run ended, so a fire waiting behind it (overlap = "queue") can go. */
  runFinished(runId: string): void {
    for (const entry of this.#entries.values()) {
      if (entry.state.lastRunId === runId && entry.state.queuedFireAt !== null) void this.#enqueue(entry, () => this.#submitter.releaseQueued(entry));
    }
  }

  list(namespace?: string): ScheduleListing[] {
    return (namespace === undefined ? [...this.#entries.values()] : this.#entriesOf(namespace))
      .sort((a, b) => compareStrings(a.key, b.key))
      .map(listingOf);
  }

  /** The next `count` cron instants of a schedule, from now. */
  nextFires(namespace: string, name: string, count: number): number[] {
    const entry = this.#find(namespace, name);
    if (!Number.isInteger(count) || count < 1 || count > MAX_NEXT_FIRES) {
      throw badInput(`expected a count of fires from 1 to ${MAX_NEXT_FIRES}, got ${count}`);
    }
    const now = this.#options.clock.now();
    return entry.cron.upcoming(Math.max(now, entry.state.settledUntil ?? now), count);
  }

  /** Resolves when every job started so far has finished. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  /** Clears every timer and waits for jobs already under way. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const entry of this.#entries.values()) this.#disarm(entry);
    await this.idle();
  }

  #activate(entry: ScheduleEntry): void {
    const now = this.#options.clock.now();
    if (entry.state.pendingFires.length > 0) void this.#enqueue(entry, () => this.#submitter.submitPending(entry, true));
    if (entry.state.settledUntil === null) {
      settle(entry.state, null, now);
      void this.#enqueue(entry, () => this.#submitter.save(entry));
    } else if (entry.config.enabled && !entry.state.paused) {
      this.#catchUp(entry, entry.state.settledUntil, now);
    }
    if (entry.state.queuedFireAt !== null) void this.#enqueue(entry, () => this.#submitter.releaseQueued(entry));
    this.#arm(entry, now);
  }

  #arm(entry: ScheduleEntry, after: number): void {
    if (this.#closed || !entry.config.enabled || entry.state.paused) return;
    // Never before a fire already acted on, even if the wall clock went back.
    const fire = entry.cron.next(Math.max(after, entry.state.settledUntil ?? after));
    entry.nextFireAt = fire;
    entry.wakeAt = fire + jitterDelay(entry.config.jitterMs, this.#random);
    this.#sleep(entry, entry.wakeAt);
  }

  #sleep(entry: ScheduleEntry, wakeAt: number): void {
    const delay = Math.min(wakeAt - this.#options.clock.now(), RECHECK_MS);
    entry.cancelWake = this.#options.clock.schedule(delay, () => this.#onWake(entry));
  }

  #onWake(entry: ScheduleEntry): void {
    entry.cancelWake = undefined;
    const fire = entry.nextFireAt!;
    const wakeAt = entry.wakeAt!;
    const now = this.#options.clock.now();
    if (now < wakeAt) {
      // Woken early: a recheck of a long wait, or the wall clock went back.
      this.#sleep(entry, wakeAt);
      return;
    }
    if (now - wakeAt <= ON_TIME_TOLERANCE_MS) {
      settle(entry.state, fire, fire);
      void this.#enqueue(entry, () => this.#submitter.submitFires(entry, [fire], false));
      this.#arm(entry, fire);
      return;
    }
    // The machine slept or the wall clock jumped past the fire: one catch-up, not a burst.
    this.#catchUp(entry, fire - 1, now);
    this.#arm(entry, now);
  }

  /** Handles the fires in (`after`, `now`] per the catch-up policy. */
  #catchUp(entry: ScheduleEntry, after: number, now: number): void {
    const {fires: missed, more} = entry.cron.recent(after, now, CATCH_UP_CAP);
    if (missed.length === 0) return;
    const {catchUp: policy, catchUpWindowMs} = entry.config;
    const fires = catchUpFires(policy, missed, now, catchUpWindowMs);
    this.#emit(entry, 'catch-up', {policy, missed: missed.length, moreMissed: more, fireTimes: fires});
    settle(entry.state, fires.at(-1) ?? null, now);
    void this.#enqueue(entry, () => (fires.length > 0 ? this.#submitter.submitFires(entry, fires, true) : this.#submitter.save(entry)));
  }

  #enqueue<T>(entry: ScheduleEntry, job: () => Promise<T>): Promise<T> {
    const result = entry.work.then(job);
    const settled = result.then(
      () => undefined,
      (error: unknown) => this.#emit(entry, 'error', {message: errorMessage(error)}),
    );
    entry.work = settled;
    this.#inFlight.add(settled);
    void settled.then(() => this.#inFlight.delete(settled));
    return result;
  }

  #emit(entry: ScheduleEntry, type: ScheduleEventType, details: Record<string, unknown>): void {
    this.#options.onEvent?.({type, schedule: entry.key, at: this.#options.clock.now(), details});
  }

  #disarm(entry: ScheduleEntry): void {
    entry.cancelWake?.();
    entry.cancelWake = undefined;
    entry.nextFireAt = null;
    entry.wakeAt = null;
  }

  #drop(entry: ScheduleEntry): void {
    this.#disarm(entry);
    this.#entries.delete(entry.key);
    const siblings = this.#byNamespace.get(entry.namespace);
    siblings?.delete(entry);
    if (siblings?.size === 0) this.#byNamespace.delete(entry.namespace);
  }

  #entriesOf(namespace: string): ScheduleEntry[] {
    return [...(this.#byNamespace.get(namespace) ?? [])];
  }

  #stateFor(key: string): ScheduleState {
    let state = this.#states.get(key);
    if (!state) {
      state = freshState();
      this.#states.set(key, state);
    }
    return state;
  }

  #find(namespace: string, name: string): ScheduleEntry {
    this.#assertOpen();
    if (!this.#started) throw new CapsuleError('internal', 'the scheduler is not started yet');
    const key = `${namespace}/${name}`;
    const entry = this.#entries.get(key);
    if (entry) return entry;
    const suggestion = nearestName(key, this.#entries.keys());
    throw notFound(`no schedule "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`, `run \`capsule schedules ${namespace}\` to list the project's schedules`);
  }

  #assertOpen(): void {
    if (this.#closed) throw new CapsuleError('internal', 'the scheduler is closed');
  }
}
