/**
 * The agent contract: what a service's embedded agent (`capsule/service`) and the daemon say to
 * each other on the daemon's socket. The agent proves which service it is with the token the
 * daemon put in its environment. What the daemon asks of it (a config change, an action) is
 * the answer to the agent's pending `agent.next` call, so it reaches that one connection and
 * no event subscriber: config values travel unmasked here.
 */
import type {ServiceRef} from './services.js';

/** The environment variables through which a service process finds the daemon and proves its identity. */
export const AGENT_ENVIRONMENT = {
  socket: 'CAPSULE_AGENT_SOCKET',
  token: 'CAPSULE_AGENT_TOKEN',
  /** "namespace/name"; set for every service. */
  service: 'CAPSULE_SERVICE',
} as const;

/** Distinct metric names one agent may report; the daemon refuses more. */
export const MAX_AGENT_METRICS = 100;
/** An action's result, as JSON, may not pass this size (one message on the socket is capped too). */
export const MAX_ACTION_RESULT_BYTES = 1024 * 1024;

export type AgentConfigValue = string | number | boolean;

export interface AgentActionInfo {
  name: string;
  description: string | null;
}

/** What the service says about itself beyond being alive; `ok: false` fails a `heartbeat` probe. */
export interface AgentHealth {
  ok: boolean;
  detail: string | null;
}

/** Something the daemon asks the agent to do; answered with `agent.reply` carrying the same id. */
export type AgentRequest =
  | {id: string; kind: 'config'; key: string; values: Record<string, AgentConfigValue>}
  | {id: string; kind: 'action'; action: string; args: Record<string, string>};

export type AgentOutcome = {ok: true; result: unknown} | {ok: false; error: string};

/** A connected agent as the daemon sees it. */
export interface AgentStatus {
  pid: number;
  version: string | null;
  actions: AgentActionInfo[];
  connectedAt: string;
  lastHeartbeatAt: string;
  health: AgentHealth | null;
  metrics: Record<string, number>;
}

export interface AgentRegistration {
  /** Names this connection's agent in every later call. */
  session: string;
  /** The service's current config values, secrets included (the agent is the service). */
  config: Record<string, AgentConfigValue>;
  /** How often to call `agent.heartbeat`: often enough for a `heartbeat` probe. */
  heartbeatIntervalMs: number;
}

export interface AgentMethods {
  'agent.register': {
    params: {service: string; token: string; pid: number; version: string | null; actions: AgentActionInfo[]};
    result: AgentRegistration;
  };
  /** Resolves with the requests waiting for this agent, once there is at least one. */
  'agent.next': {params: {session: string}; result: {requests: AgentRequest[]}};
  'agent.reply': {params: {session: string; id: string; outcome: AgentOutcome}; result: {accepted: boolean}};
  /** One line of a running action's output, streamed to whoever asked for the action. */
  'agent.output': {params: {session: string; id: string; text: string}; result: {accepted: boolean}};
  /** Keeps a `heartbeat` probe passing; carries the latest health and metrics when they changed. */
  'agent.heartbeat': {params: {session: string; health?: AgentHealth; metrics?: Record<string, number>}; result: {accepted: boolean}};
  /** null: no agent of that service is connected. */
  'agent.status': {params: ServiceRef; result: {agent: AgentStatus | null}};
}
