import type {AgentMethods} from './agent.js';
import type {AuditEvents, AuditMethods} from './audit.js';
import type {ControlMethods} from './control.js';
import type {DaemonMethods} from './daemon.js';
import type {ProjectEvents, ProjectMethods} from './projects.js';
import type {ScheduleEvents, ScheduleMethods} from './schedules.js';
import type {ServiceEvents, ServiceMethods} from './services.js';
import type {TaskEvents, TaskMethods} from './tasks.js';

export * from './wire.js';
export type * from './agent.js';
export type * from './audit.js';
export type * from './control.js';
export type * from './daemon.js';
export type * from './projects.js';
export type * from './runs.js';
export type * from './schedules.js';
export type * from './services.js';
export type * from './tasks.js';

/** Every method the daemon answers: name → params and result. One table, checked at compile time on both sides. */
export type Methods = DaemonMethods & ProjectMethods & TaskMethods & ScheduleMethods & ServiceMethods & AuditMethods & ControlMethods & AgentMethods;
export type MethodName = keyof Methods;
export type ParamsOf<M extends MethodName> = Methods[M]['params'];
export type ResultOf<M extends MethodName> = Methods[M]['result'];

/**
 * Every pushed event: name → payload. An event's topic is the part of its name before the
 * first dot (`run.updated` → `run`); some events also go to a narrower topic `topic:key`.
 */
export type Events = ProjectEvents & TaskEvents & ScheduleEvents & ServiceEvents & AuditEvents;
export type EventName = keyof Events;

export function topicOf(event: string): string {
  const dot = event.indexOf('.');
  return dot === -1 ? event : event.slice(0, dot);
}
