import type {RunStatus} from './runs.js';

export type OverlapPolicy = 'skip' | 'queue' | 'allow';
export type CatchUpPolicy = 'none' | 'latest' | 'all';

/** A schedule as `capsule list`, `capsule schedules` and the dashboard show it. */
export interface ScheduleSummary {
  name: string;
  task: string;
  cron: string;
  /** The effective IANA zone (the machine's when capsule.toml gives none). */
  timezone: string;
  /** Declared in capsule.toml or next to the function in task(). */
  source: 'config' | 'code';
  enabled: boolean;
  paused: boolean;
  overlap: OverlapPolicy;
  catchUp: CatchUpPolicy;
  nextFireAt: string | null;
  lastFireAt: string | null;
  lastRun: {id: string; status: RunStatus} | null;
  /** Fires skipped by the overlap policy since the schedule was declared. */
  skipped: number;
}

export interface ScheduleRef {
  namespace: string;
  name: string;
}

export interface ScheduleMethods {
  'schedule.list': {params: {namespace?: string}; result: {schedules: (ScheduleSummary & {namespace: string})[]}};
  'schedule.pause': {params: ScheduleRef; result: ScheduleSummary};
  'schedule.resume': {params: ScheduleRef; result: ScheduleSummary};
  /** Fires now, whatever the cron says (the overlap policy still applies). */
  'schedule.trigger': {params: ScheduleRef; result: {runId: string | null; skipped: boolean}};
  'schedule.next': {params: ScheduleRef & {count: number}; result: {timezone: string; fires: string[]}};
}

/** Topic `schedule`. */
export interface ScheduleEvents {
  'schedule.updated': ScheduleSummary & {namespace: string};
}
