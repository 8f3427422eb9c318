import {badInput} from '../../src/lib/errors.js';
import type {ScheduleRef} from '../../src/protocol/index.js';
import type {SchedulesPlugin} from '../plugins/schedules.js';
import type {HandlerTable} from '../core/server.js';
import type {AuditLog} from '../core/audit-log.js';
import type {ProjectRegistry} from '../projects/registry.js';
import {requireString} from './projects.js';

type ScheduleMethods = 'schedule.list' | 'schedule.pause' | 'schedule.resume' | 'schedule.trigger' | 'schedule.next';

export function scheduleHandlers(schedules: SchedulesPlugin, audit: AuditLog, projects: ProjectRegistry): Pick<HandlerTable, ScheduleMethods> {
  const ref = (params: ScheduleRef) => ({namespace: requireString(params?.namespace, 'namespace'), name: requireString(params?.name, 'name')});
  return {
    'schedule.list': (params) => {
      // An unknown namespace is an error with a suggestion, not an empty list.
      if (params?.namespace !== undefined) projects.list(params.namespace);
      return {schedules: schedules.list(params?.namespace ?? undefined)};
    },
    'schedule.pause': async (params, call) => {
      const {namespace, name} = ref(params);
      await schedules.scheduler.pause(namespace, name);
      audit.record({actor: call.actor, kind: 'schedule.pause.requested', target: `${namespace}/${name}`, details: {}});
      return schedules.find(namespace, name);
    },
    'schedule.resume': async (params, call) => {
      const {namespace, name} = ref(params);
      await schedules.scheduler.resume(namespace, name);
      audit.record({actor: call.actor, kind: 'schedule.resume.requested', target: `${namespace}/${name}`, details: {}});
      return schedules.find(namespace, name);
    },
    'schedule.trigger': async (params, call) => {
      const {namespace, name} = ref(params);
      const {runId} = await schedules.scheduler.trigger(namespace, name);
      audit.record({actor: call.actor, kind: 'schedule.trigger.requested', target: `${namespace}/${name}`, details: {runId}});
      return {runId, skipped: false};
    },
    'schedule.next': (params) => {
      const {namespace, name} = ref(params);
      const count = params?.count ?? 5;
      if (!Number.isInteger(count) || count < 1) throw badInput(`count must be a positive integer, got ${JSON.stringify(count)}`);
      const fires = schedules.scheduler.nextFires(namespace, name, count).map((at) => new Date(at).toISOString());
      return {timezone: schedules.find(namespace, name).timezone, fires};
    },
  };
}
