import {toCapsuleError} from '../../src/lib/errors.js';
import {MAX_RUN_LIST, UNFINISHED_RUN_STATUSES, type DaemonStatus, type ProjectSummary, type RunRecord, type ScheduleSummary, type ServiceSummary, type SessionSummary} from '../../src/protocol/index.js';
import type {DashboardClient} from '../client.js';

/** Recent runs loaded on connect, besides every one not final. */
export const SNAPSHOT_RECENT_RUNS = 200;
/** run.list answers at most this many per call. */

export interface SnapshotProblem {
  method: string;
  message: string;
}

/** Everything the dashboard shows, as the daemon answers it right after the subscription. */
export interface Snapshot {
  projects: ProjectSummary[];
  /** null when the daemon does not answer run.list (counts then come from the task summaries). */
  runs: RunRecord[] | null;
  schedules: (ScheduleSummary & {namespace: string})[] | null;
  services: (ServiceSummary & {namespace: string})[] | null;
  sessions: SessionSummary[] | null;
  status: DaemonStatus | null;
  /** The lists the daemon did not answer, and why. */
  problems: SnapshotProblem[];
}

/** project.list must answer; any other list that fails leaves its part to project.list's summaries. */
export async function loadSnapshot(client: DashboardClient): Promise<Snapshot> {
  const problems: SnapshotProblem[] = [];
  const optional = <T>(method: string, promise: Promise<T>): Promise<T | null> =>
    promise.catch((error: unknown) => {
      if (!problems.some((problem) => problem.method === method)) problems.push({method, message: toCapsuleError(error).message});
      return null;
    });
  const [projects, recent, unfinished, schedules, services, sessions, status] = await Promise.all([
    client.call('project.list', {}),
    optional('run.list', client.call('run.list', {limit: SNAPSHOT_RECENT_RUNS})),
    // Every run not final, so the live counts beside each task start right.
    Promise.all(UNFINISHED_RUN_STATUSES.map((runStatus) => optional('run.list', client.call('run.list', {status: runStatus, limit: MAX_RUN_LIST})))),
    optional('schedule.list', client.call('schedule.list', {})),
    optional('service.list', client.call('service.list', {})),
    optional('session.list', client.call('session.list', {})),
    optional('daemon.status', client.call('daemon.status', {})),
  ]);
  const runs = recent && unfinished.every((list) => list !== null) ? [...unfinished.flatMap((list) => list!.runs), ...recent.runs] : null;
  // The tree holds this daemon's projects and acts on their services here: other nodes' rows (with a backend) stay out of it.
  const here = services && services.services.filter((service) => service.node === undefined || service.node === status?.cluster?.node);
  return {projects: projects.projects, runs, schedules: schedules?.schedules ?? null, services: here, sessions: sessions?.sessions ?? null, status, problems};
}
