/**
 * The agent contract: what a service's embedded agent (`capsule/service`) and the daemon say to
 * each other on the daemon's socket. The agent proves which service it is with the token the
 * daemon put in its environment. What the daemon asks of it (a config change, an action) is
 * the answer to the agent's pending `agent.next` call, so it reaches that one connection and
 * no event subscriber: config values travel unmasked here.
 */
import {z} from 'zod';
import {Instant, ItemRef, Text} from './common.js';
import {METRIC_NAME, METRIC_NAME_RULE} from './agent-limits.js';
import {ConfigValue} from './services.js';

/** Longer health details and output lines are cut: they are shown, not parsed. */
const MAX_TEXT_CHARS = 16 * 1024;

const ShownText = z.string().transform((text) => text.slice(0, MAX_TEXT_CHARS));

export const AgentActionInfo = z.object({name: Text, description: ShownText.nullable().default(null)});
export type AgentActionInfo = z.output<typeof AgentActionInfo>;

/** What the service says about itself beyond being alive; `ok: false` fails a `heartbeat` probe. */
export const AgentHealth = z.object({ok: z.boolean(), detail: ShownText.nullable().default(null)});
export type AgentHealth = z.output<typeof AgentHealth>;

const Metrics = z.record(
  z.string().regex(METRIC_NAME, `expected a metric name: ${METRIC_NAME_RULE}`),
  z.number().refine(Number.isFinite, 'expected a finite number'),
);

/** Something the daemon asks the agent to do; answered with `agent.reply` carrying the same id. */
export const AgentRequest = z.discriminatedUnion('kind', [
  z.object({id: z.string(), kind: z.literal('config'), key: z.string(), values: z.record(z.string(), ConfigValue)}),
  z.object({id: z.string(), kind: z.literal('action'), action: z.string(), args: z.record(z.string(), z.string())}),
]);
export type AgentRequest = z.infer<typeof AgentRequest>;

export const AgentOutcome = z.discriminatedUnion('ok', [
  z.object({ok: z.literal(true), result: z.unknown().default(null)}),
  z.object({ok: z.literal(false), error: ShownText.catch('the handler failed')}),
]);
export type AgentOutcome = z.output<typeof AgentOutcome>;

/** A connected agent as the daemon sees it. */
export const AgentStatus = z.object({
  pid: z.number().int(),
  version: z.string().nullable(),
  actions: z.array(z.object({name: z.string(), description: z.string().nullable()})),
  connectedAt: Instant,
  lastHeartbeatAt: Instant,
  health: AgentHealth.nullable(),
  metrics: z.record(z.string(), z.number()),
});
export type AgentStatus = z.infer<typeof AgentStatus>;

export const AgentRegistration = z.object({
  /** Names this connection's agent in every later call. */
  session: z.string(),
  /** The service's current config values, secrets included (the agent is the service). */
  config: z.record(z.string(), ConfigValue),
  /** How often to call `agent.heartbeat`: often enough for a `heartbeat` probe. */
  heartbeatIntervalMs: z.number(),
});
export type AgentRegistration = z.infer<typeof AgentRegistration>;

const Accepted = z.object({accepted: z.boolean()});

export const agentMethods = {
  'agent.register': {
    params: z.strictObject({
      service: Text,
      token: Text,
      pid: z.number().int().positive(),
      /** The agent's machine, as it names itself (os.hostname()): shown for a remote service beside its address. */
      host: z.string().max(255).nullable().default(null),
      version: ShownText.nullable().default(null),
      actions: z.array(AgentActionInfo),
    }),
    result: AgentRegistration,
  },
  /** Resolves with the requests waiting for this agent, once there is at least one. */
  'agent.next': {params: z.strictObject({session: Text}), result: z.object({requests: z.array(AgentRequest)})},
  'agent.reply': {params: z.strictObject({session: Text, id: Text, outcome: AgentOutcome}), result: Accepted},
  /** One line of a running action's output, streamed to whoever asked for the action. */
  'agent.output': {params: z.strictObject({session: Text, id: Text, text: ShownText}), result: Accepted},
  /** Keeps a `heartbeat` probe passing; carries the latest health and metrics when they changed. */
  'agent.heartbeat': {params: z.strictObject({session: Text, health: AgentHealth.optional(), metrics: Metrics.optional()}), result: Accepted},
  /** null: no agent of that service is connected. */
  'agent.status': {params: ItemRef, result: z.object({agent: AgentStatus.nullable()})},
};
