import type {Clock} from '../core/clock.js';

export type RunStatus = 'queued' | 'running' | 'done';

/** Attached to every run a schedule submits. */
export interface FireMeta {
  /** "namespace/name" */
  schedule: string;
  /** The cron instant the run is for (epoch ms), before jitter; the trigger time for a manual run. */
  fireTime: number;
  /** Submitted late, for a fire missed while the daemon was down or the machine slept. */
  catchUp: boolean;
  /** Submitted by `trigger` (capsule schedule trigger, capsule restart), not by the cron. */
  manual: boolean;
}

/** What survives a restart, per schedule key "namespace/name". */
export interface ScheduleState {
  /** The last cron instant acted on: submitted, queued or skipped. */
  lastFireAt: number | null;
  /**
   * Fires at or before this instant are accounted for: the last fire, or when the schedule was
   * first armed, resumed, redefined or caught up. Catch-up looks only after it.
   */
  settledUntil: number | null;
  paused: boolean;
  skippedCount: number;
  lastRunId: string | null;
  /** A fire waiting for the previous run to finish (overlap = "queue"). */
  queuedFireAt: number | null;
  /** Fires whose runs are being submitted: after a crash, start() submits them again. */
  pendingFires: number[];
}

/** The daemon's store behind the scheduler; `save` resolves once the state is durable. */
export interface ScheduleStateStore {
  load(): Promise<Record<string, ScheduleState>> | Record<string, ScheduleState>;
  save(key: string, state: ScheduleState): Promise<void> | void;
  delete(key: string): Promise<void> | void;
}

/** `pass`: fires another node fires (SchedulerOptions.firesHere): the schedule's listing moved on, nothing happened here to audit. */
export type ScheduleEventType = 'fire' | 'skip' | 'queue' | 'catch-up' | 'trigger' | 'pause' | 'resume' | 'error' | 'pass';

/** One audit record: everything a schedule does or has done to it. */
export interface ScheduleEvent {
  type: ScheduleEventType;
  /** "namespace/name" */
  schedule: string;
  /** When it happened (clock time, epoch ms). */
  at: number;
  details: Record<string, unknown>;
}

export interface SchedulerOptions {
  clock: Clock;
  /** [0, 1) like Math.random, for jitter. @default Math.random */
  random?: () => number;
  /**
   * A cron fire (not a manual one) submitted a second time, after a crash between persisting it
   * and the end of its submit, must find the run it made the first time (`existed`), not make another.
   */
  submit(namespace: string, task: string, input: Record<string, unknown>, meta: FireMeta): Promise<{runId: string; existed: boolean}>;
  /** Status of a run the scheduler submitted; a run the daemon no longer knows is 'done'. */
  runStatus(runId: string): RunStatus | Promise<RunStatus>;
  store: ScheduleStateStore;
  /**
   * With a backend: whether this node fires the schedule (daemon/cluster/schedule-owners.ts); a
   * fire it does not is let pass, neither submitted nor recorded. @default every fire, here
   */
  firesHere?(scheduleKey: string): Promise<boolean>;
  /** Must not throw; it is called from timer callbacks. */
  onEvent?(event: ScheduleEvent): void;
}

/** A row of `capsule schedules`. */
export interface ScheduleListing {
  namespace: string;
  name: string;
  task: string;
  cron: string;
  /** The zone the schedule runs in: the declared one or the machine's. */
  timezone: string;
  /** The coming cron instant, before jitter; null when paused, disabled or not started. */
  nextFireAt: number | null;
  lastFireAt: number | null;
  lastRunId: string | null;
  paused: boolean;
  skipped: number;
  enabled: boolean;
}
