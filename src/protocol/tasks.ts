/** A task as `capsule list` shows it. The task issue fills in limits and run counts. */
export interface TaskSummary {
  name: string;
}
