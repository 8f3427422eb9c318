import type {SchedulesPlugin} from '../plugins/schedules.js';
import type {HandlerTable} from '../core/router.js';
import type {AuditLog} from '../core/audit-log.js';
import type {ProjectRegistry} from '../projects/registry.js';

type ScheduleMethods = 'schedule.list' | 'schedule.pause' | 'schedule.resume' | 'schedule.trigger' | 'schedule.next';

export function scheduleHandlers(schedules: SchedulesPlugin, audit: AuditLog, projects: ProjectRegistry): Pick<HandlerTable, ScheduleMethods> {
  return {
    'schedule.list': ({namespace}) => {
      // An unknown namespace is an error with a suggestion, not an empty list.
      if (namespace !== undefined) projects.list(namespace);
      return {schedules: schedules.list(namespace)};
    },
    'schedule.pause': async ({namespace, name}, call) => {
      await schedules.scheduler.pause(namespace, name);
      audit.record({actor: call.actor, kind: 'schedule.pause.requested', target: `${namespace}/${name}`, details: {}});
      return schedules.find(namespace, name);
    },
    'schedule.resume': async ({namespace, name}, call) => {
      await schedules.scheduler.resume(namespace, name);
      audit.record({actor: call.actor, kind: 'schedule.resume.requested', target: `${namespace}/${name}`, details: {}});
      return schedules.find(namespace, name);
    },
    'schedule.trigger': async ({namespace, name}, call) => {
      const {runId} = await schedules.scheduler.trigger(namespace, name);
      audit.record({actor: call.actor, kind: 'schedule.trigger.requested', target: `${namespace}/${name}`, details: {runId}});
      return {runId, skipped: false};
    },
    'schedule.next': ({namespace, name, count}) => {
      const fires = schedules.scheduler.nextFires(namespace, name, count).map((at) => new Date(at).toISOString());
      return {timezone: schedules.find(namespace, name).timezone, fires};
    },
  };
}
