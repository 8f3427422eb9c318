/** What the daemon uses of the supervisor. */
export {Supervisor, type SupervisorOptions} from './supervisor.js';
export type {AdoptionReport} from './adoption.js';
export type {RunActionOptions} from './service-actions.js';
export type {AgentActionOutcome, AgentActionRequest, AgentActionRunner} from './agent-action.js';
export type {InstanceLogLine, InstanceLogListener} from './service-group.js';
export type {Clock} from '../core/clock.js';
export {agentTokenMatches} from './agent-token.js';
export {SECRET_MASK} from './config-values.js';
export {MAX_TAIL_LINES} from './log-tail.js';
export type * from './types.js';
