import type {DaemonMethods} from './daemon.js';
import type {ProjectEvents, ProjectMethods} from './projects.js';

export * from './wire.js';
export type * from './daemon.js';
export type * from './projects.js';
export type * from './tasks.js';
export type * from './schedules.js';
export type * from './services.js';

/** Every method the daemon answers: name → params and result. One table, checked at compile time on both sides. */
export type Methods = DaemonMethods & ProjectMethods;
export type MethodName = keyof Methods;
export type ParamsOf<M extends MethodName> = Methods[M]['params'];
export type ResultOf<M extends MethodName> = Methods[M]['result'];

/** Every pushed event: name → payload. A subscription names topics; an event's topic is the part before the first dot. */
export type Events = ProjectEvents;
export type EventName = keyof Events;

export function topicOf(event: string): string {
  const dot = event.indexOf('.');
  return dot === -1 ? event : event.slice(0, dot);
}
