/** A schedule as `capsule list` shows it. The schedules issue fills in next/last fire and policies. */
export interface ScheduleSummary {
  name: string;
  task: string;
  cron: string;
  timezone: string | null;
}
