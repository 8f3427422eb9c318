/** What `capsule describe NS/NAME` gathers about one item, from the methods the daemon already answers (and service.describe). */
import type {AuditEvent, ItemRef, ProjectSchedule, RunRecord, RunStatus, ServiceDescription, TaskSummary} from '../protocol/index.js';
import {MAX_RUN_LIST} from '../protocol/index.js';
import type {ItemKind} from '../protocol/targets.js';
import type {DaemonClient} from './client.js';
import {resolveItem} from './targets.js';

/** Bounded: describe shows the latest, `capsule runs` and `capsule audit` the rest. */
const RECENT_RUNS = 5;
const RECENT_EVENTS = 8;

export type Description =
  | {kind: 'service'; target: string; service: ServiceDescription; events: AuditEvent[]}
  | {kind: 'task'; target: string; task: TaskSummary & {namespace: string; file: string}; schedules: ProjectSchedule[]; counts: Partial<Record<RunStatus, number>>; countedRuns: number; runs: RunRecord[]; events: AuditEvent[]}
  | {kind: 'schedule'; target: string; schedule: ProjectSchedule; nextFires: string[]; runs: RunRecord[]; events: AuditEvent[]};

export async function describeItem(client: DaemonClient, ref: ItemRef, kind?: ItemKind): Promise<Description> {
  const found = kind ?? (await resolveItem(client, ref));
  const target = `${ref.namespace}/${ref.name}`;
  const events = async () => (await client.call('audit.list', {target, limit: RECENT_EVENTS})).events;
  if (found === 'service') {
    const [service, recent] = await Promise.all([client.call('service.describe', ref), events()]);
    return {kind: 'service', target, service, events: recent};
  }
  if (found === 'task') {
    const [{projects}, {schedules}, {runs}, recent] = await Promise.all([
      client.call('project.list', {namespace: ref.namespace}),
      client.call('schedule.list', {namespace: ref.namespace}),
      client.call('run.list', {namespace: ref.namespace, task: ref.name, limit: MAX_RUN_LIST}),
      events(),
    ]);
    const project = projects[0]!;
    const task = project.tasks.find((one) => one.name === ref.name)!;
    const counts: Partial<Record<RunStatus, number>> = {};
    for (const run of runs) counts[run.status] = (counts[run.status] ?? 0) + 1;
    return {
      kind: 'task',
      target,
      task: {...task, namespace: ref.namespace, file: `${project.root}/${task.module}`},
      schedules: schedules.filter((schedule) => schedule.task === ref.name),
      counts,
      countedRuns: runs.length,
      runs: runs.slice(0, RECENT_RUNS),
      events: recent,
    };
  }
  const [{schedules}, next, recent] = await Promise.all([client.call('schedule.list', {namespace: ref.namespace}), client.call('schedule.next', {...ref, count: 3}), events()]);
  const schedule = schedules.find((one) => one.name === ref.name)!;
  const fired = recent.map((event) => event.details.runId).filter((id): id is string => typeof id === 'string');
  const {runs} = await client.call('run.list', {namespace: ref.namespace, task: schedule.task, limit: MAX_RUN_LIST});
  return {kind: 'schedule', target, schedule, nextFires: next.fires, runs: runs.filter((run) => fired.includes(run.id)).slice(0, RECENT_RUNS), events: recent};
}
