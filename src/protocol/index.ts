/**
 * The protocol's types and zod-free constants: what the CLI, the client, the dashboard and the
 * agent import. The schemas themselves (and zod) are reached through `./methods.js`, which only
 * the daemon loads at run time.
 */
export * from './wire.js';
export * from './vocabulary.js';
export * from './agent-limits.js';
export * from './action-args.js';
export * from './instances.js';
export type * from './agent.js';
export type * from './audit.js';
export type * from './common.js';
export type * from './control.js';
export type * from './daemon.js';
export type * from './nodes.js';
export type * from './projects.js';
export type * from './runs.js';
export type * from './schedules.js';
export type * from './services.js';
export type * from './sessions.js';
export type {EventArgs, EventName, Events, HandlerParams, MethodName, Methods, ParamsOf, ResultOf, ServerEvent} from './methods.js';
