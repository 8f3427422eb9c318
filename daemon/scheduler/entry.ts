import type {ScheduleConfig} from '../../src/config/schedules.js';
import type {CronSchedule} from './next-fire.js';
import type {ScheduleEventType, ScheduleListing, ScheduleState} from './types.js';

/** A defined schedule as the scheduler holds it while its project is loaded. */
export interface ScheduleEntry {
  /** "namespace/name" */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  config: ScheduleConfig;
  cron: CronSchedule;
  /** Shared with the scheduler's map of all states, so it outlives the entry. */
  state: ScheduleState;
  /** The cron instant the timer waits for; null when not armed. */
  nextFireAt: number | null;
  /** nextFireAt plus its jitter. */
  wakeAt: number | null;
  /** Cancels the armed timer; undefined when none is armed. */
  cancelWake: (() => void) | undefined;
  /** The schedule's jobs run one after another: fires, catch-ups, pause, trigger. */
  work: Promise<unknown>;
}

export type Emit = (entry: ScheduleEntry, type: ScheduleEventType, details: Record<string, unknown>) => void;

export const freshState = (): ScheduleState => ({lastFireAt: null, settledUntil: null, paused: false, skippedCount: 0, lastRunId: null, queuedFireAt: null, pendingFires: []});

/** Records `lastFireAt` (if given) and that nothing up to `until` is left to catch up. */
export function settle(state: ScheduleState, lastFireAt: number | null, until: number): void {
  if (lastFireAt !== null) state.lastFireAt = lastFireAt;
  state.settledUntil = Math.max(state.settledUntil ?? until, until);
}

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function listingOf(entry: ScheduleEntry): ScheduleListing {
  return {
    namespace: entry.namespace,
    name: entry.name,
    task: entry.config.task,
    cron: entry.config.cron,
    timezone: entry.cron.zone,
    nextFireAt: entry.nextFireAt,
    lastFireAt: entry.state.lastFireAt,
    lastRunId: entry.state.lastRunId,
    paused: entry.state.paused,
    skipped: entry.state.skippedCount,
    enabled: entry.config.enabled,
  };
}
