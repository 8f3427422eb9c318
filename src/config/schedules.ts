import {z} from 'zod';

/**
 * One `[schedules.NAME]` table. A placeholder until the schedules issue brings the full key
 * list: it checks only what `capsule list` shows and lets every other key through.
 */
export const scheduleSchema = z.looseObject({
  task: z.string(),
  cron: z.string(),
});

export type ScheduleConfig = z.output<typeof scheduleSchema>;
