import type {z} from 'zod';
import {agentMethods} from './agent.js';
import {auditEvents, auditMethods} from './audit.js';
import {controlMethods} from './control.js';
import {daemonMethods} from './daemon.js';
import {nodeMethods} from './nodes.js';
import {projectEvents, projectMethods} from './projects.js';
import {runEvents, runMethods} from './runs.js';
import {scheduleEvents, scheduleMethods} from './schedules.js';
import {serviceEvents, serviceMethods} from './services.js';
import {sessionEvents, sessionMethods} from './sessions.js';

/** Every method the daemon answers: name → the schemas of its params and result. */
export const methods = {...daemonMethods, ...projectMethods, ...runMethods, ...scheduleMethods, ...serviceMethods, ...auditMethods, ...controlMethods, ...agentMethods, ...sessionMethods, ...nodeMethods};

/**
 * Every pushed event: name → the schema of its payload. An event's topic is the part of its
 * name before the first dot (`run.updated` → `run`); some events also go to a narrower topic
 * `topic:key`.
 */
export const events = {...projectEvents, ...runEvents, ...scheduleEvents, ...serviceEvents, ...auditEvents, ...sessionEvents};

type MethodSchemas = typeof methods;
export type MethodName = keyof MethodSchemas;

/** What a caller sends (defaults may be left out) and what it gets back. */
export type Methods = {[M in MethodName]: {params: z.input<MethodSchemas[M]['params']>; result: z.output<MethodSchemas[M]['result']>}};
export type ParamsOf<M extends MethodName> = Methods[M]['params'];
export type ResultOf<M extends MethodName> = Methods[M]['result'];
/** What a handler receives: the params as checked, with their defaults filled in. */
export type HandlerParams<M extends MethodName> = z.output<MethodSchemas[M]['params']>;

export type Events = {[E in keyof typeof events]: z.output<(typeof events)[E]>};
export type EventName = keyof Events;
/** One event as it arrives: narrowing on `event` types `data`. */
export type ServerEvent = {[E in EventName]: {event: E; data: Events[E]}}[EventName];
/** An event listener's arguments: `(event, data) => …` narrows `data` on `event`. */
export type EventArgs = {[E in EventName]: [event: E, data: Events[E]]}[EventName];
