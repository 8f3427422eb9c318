import {expect} from 'vitest';
import {scheduleSchema, type ScheduleConfig} from '../../../src/config/schedules.js';
import {FakeClock} from '../core/fake-clock.js';
import {Scheduler} from '../../../daemon/scheduler/scheduler.js';
import type {FireMeta, RunStatus, ScheduleEvent, ScheduleState, ScheduleStateStore} from '../../../daemon/scheduler/types.js';

export const at = (iso: string): number => Date.parse(iso);
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** A schedule as capsule.toml would give it, through the real schema. */
export function schedule(table: Record<string, unknown>): ScheduleConfig {
  return scheduleSchema.parse({task: 'sync', timezone: 'UTC', ...table});
}

/** The daemon's store, in memory; survives Scheduler instances like the real one survives restarts. */
export class MemoryStore implements ScheduleStateStore {
  readonly states = new Map<string, ScheduleState>();

  load(): Record<string, ScheduleState> {
    return Object.fromEntries([...this.states].map(([key, state]) => [key, {...state}]));
  }

  save(key: string, state: ScheduleState): void {
    this.states.set(key, {...state});
  }

  delete(key: string): void {
    this.states.delete(key);
  }
}

export interface SubmittedRun {
  runId: string;
  namespace: string;
  task: string;
  input: Record<string, unknown>;
  meta: FireMeta;
  /** The clock when the scheduler submitted it. */
  submittedAt: number;
  /** The store's view of the schedule at that moment. */
  persisted: ScheduleState | undefined;
}

/** A fake runner: every submitted run stays queued until `finish`. */
export class FakeRunner {
  readonly runs: SubmittedRun[] = [];
  readonly statuses = new Map<string, RunStatus>();

  constructor(
    private readonly clock: FakeClock,
    private readonly store: MemoryStore,
  ) {}

  /** As the daemon's port does: a cron fire submitted again finds its run. */
  submit = async (namespace: string, task: string, input: Record<string, unknown>, meta: FireMeta): Promise<{runId: string; existed: boolean}> => {
    const made = meta.manual ? undefined : this.runs.find((run) => !run.meta.manual && run.meta.schedule === meta.schedule && run.meta.fireTime === meta.fireTime);
    if (made) return {runId: made.runId, existed: true};
    const runId = `run_${this.runs.length + 1}`;
    this.runs.push({runId, namespace, task, input, meta, submittedAt: this.clock.now(), persisted: this.store.states.get(meta.schedule)});
    this.statuses.set(runId, 'queued');
    return {runId, existed: false};
  };

  runStatus = (runId: string): RunStatus => this.statuses.get(runId) ?? 'done';

  finishAll(): string[] {
    const finished = [...this.statuses].filter(([, status]) => status !== 'done').map(([runId]) => runId);
    for (const runId of finished) this.statuses.set(runId, 'done');
    return finished;
  }

  fireTimes(): string[] {
    return this.runs.map((run) => new Date(run.meta.fireTime).toISOString());
  }
}

const running: Daemon[] = [];

/** For afterEach: closes every Daemon made since, and checks they left no timer behind. */
export async function closeDaemons(): Promise<void> {
  const closing = running.splice(0);
  for (const daemon of closing) await daemon.scheduler.close();
  for (const daemon of closing) expect(daemon.clock.pending).toBe(0);
}

/** One daemon lifetime over a shared clock and store. */
export class Daemon {
  readonly events: ScheduleEvent[] = [];
  readonly scheduler: Scheduler;

  constructor(
    readonly clock: FakeClock,
    readonly store: MemoryStore,
    readonly runner: FakeRunner,
    random: () => number = () => 0,
  ) {
    this.scheduler = new Scheduler({
      clock,
      random,
      // Looked up on each call, so a test can swap the runner's behaviour mid-way.
      submit: (...args) => runner.submit(...args),
      runStatus: (runId) => runner.runStatus(runId),
      store,
      onEvent: (event) => this.events.push(event),
    });
    running.push(this);
  }

  /** Moves time and lets the jobs it started finish, as a real daemon's event loop would. */
  async advance(ms: number): Promise<void> {
    this.clock.advance(ms);
    await this.scheduler.idle();
  }

  /** Moves time one step at a time, so each fire sees the runner state left by the previous one. */
  async advanceInSteps(ms: number, stepMs: number): Promise<void> {
    for (let done = 0; done < ms; done += stepMs) await this.advance(Math.min(stepMs, ms - done));
  }

  eventTypes(): string[] {
    return this.events.map((event) => event.type);
  }
}

export function world(startIso: string): {clock: FakeClock; store: MemoryStore; runner: FakeRunner} {
  const clock = new FakeClock(at(startIso));
  const store = new MemoryStore();
  return {clock, store, runner: new FakeRunner(clock, store)};
}
