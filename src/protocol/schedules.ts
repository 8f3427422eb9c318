import {z} from 'zod';
import {Instant, ItemRef, Text} from './common.js';
import {RunStatusSchema} from './runs.js';
import {CATCH_UP_POLICIES, MAX_NEXT_FIRES, OVERLAP_POLICIES} from './vocabulary.js';

/** A schedule as `capsule list`, `capsule schedules` and the dashboard show it. */
export const ScheduleSummary = z.object({
  name: z.string(),
  task: z.string(),
  cron: z.string(),
  /** The effective IANA zone (the machine's when capsule.toml gives none). */
  timezone: z.string(),
  /** Declared in capsule.toml or next to the function in task(). */
  source: z.enum(['config', 'code']),
  enabled: z.boolean(),
  paused: z.boolean(),
  overlap: z.enum(OVERLAP_POLICIES),
  catchUp: z.enum(CATCH_UP_POLICIES),
  nextFireAt: Instant.nullable(),
  lastFireAt: Instant.nullable(),
  lastRun: z.object({id: z.string(), status: RunStatusSchema}).nullable(),
  /** Fires skipped by the overlap policy since the schedule was declared. */
  skipped: z.number().int(),
});
export type ScheduleSummary = z.infer<typeof ScheduleSummary>;

export const ProjectSchedule = ScheduleSummary.extend({namespace: z.string()});
export type ProjectSchedule = z.infer<typeof ProjectSchedule>;

export const scheduleMethods = {
  'schedule.list': {params: z.strictObject({namespace: Text.optional()}), result: z.object({schedules: z.array(ProjectSchedule)})},
  'schedule.pause': {params: ItemRef, result: ScheduleSummary},
  'schedule.resume': {params: ItemRef, result: ScheduleSummary},
  /** Fires now, whatever the cron says (the overlap policy still applies). */
  'schedule.trigger': {params: ItemRef, result: z.object({runId: z.string().nullable(), skipped: z.boolean()})},
  'schedule.next': {params: ItemRef.extend({count: z.number().int().positive().max(MAX_NEXT_FIRES).default(5)}), result: z.object({timezone: z.string(), fires: z.array(Instant)})},
};

/** Topic `schedule`. */
export const scheduleEvents = {
  'schedule.updated': ProjectSchedule,
};
