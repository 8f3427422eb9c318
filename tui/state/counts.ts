import type {ProjectSummary, ServiceState} from '../../src/protocol/index.js';
import type {TaskActivity} from './runs.js';

/** "Due soon" in the header: schedules firing within this window. */
export const DUE_WINDOW_MS = 3_600_000;

const HEALTHY: ReadonlySet<ServiceState> = new Set(['running', 'healthy']);
const UNHEALTHY: ReadonlySet<ServiceState> = new Set(['unhealthy', 'backoff', 'failed']);

export interface HeaderCounts {
  running: number;
  queued: number;
  /** Up and not failing a health check. */
  healthy: number;
  /** Failing a health check, waiting to restart, or given up on. */
  unhealthy: number;
  dueSoon: number;
}

export function headerCounts(projects: ProjectSummary[], activity: ReadonlyMap<string, TaskActivity> | null, now: number): HeaderCounts {
  const counts: HeaderCounts = {running: 0, queued: 0, healthy: 0, unhealthy: 0, dueSoon: 0};
  for (const project of projects) {
    for (const task of project.tasks) {
      const live = activity ? activity.get(`${project.namespace}/${task.name}`) : task;
      counts.running += live?.running ?? 0;
      counts.queued += live?.queued ?? 0;
    }
    for (const service of project.services) {
      if (HEALTHY.has(service.state)) counts.healthy++;
      else if (UNHEALTHY.has(service.state)) counts.unhealthy++;
    }
    for (const schedule of project.schedules) {
      if (!schedule.enabled || schedule.paused || schedule.nextFireAt === null) continue;
      if (Date.parse(schedule.nextFireAt) - now <= DUE_WINDOW_MS) counts.dueSoon++;
    }
  }
  return counts;
}
