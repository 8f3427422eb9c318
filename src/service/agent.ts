/**
 * `capsule/service`: the agent a long-running service embeds to be governed by the daemon that
 * started it. Built to dist/service.js.
 *
 * ```ts
 * import {agent} from 'capsule/service';
 *
 * const a = await agent({
 *   version: '1.4.0',
 *   actions: {rotate: async (args, ctx) => { ctx.log('rotating'); return {rotated: true}; }},
 *   onConfig(values, changed) { pool.resize(Number(values.pool_size)); },
 * });
 * a.health({ok: true, detail: 'pool warm'});
 * a.metric('queue_depth', 3);
 * a.config.pool_size; // current values, changed live by `capsule config set`
 * await a.close();
 * ```
 *
 * Unlike task code, a service is a plain process the daemon does not load: it imports
 * `capsule/service` like any dependency (capsule installed or linked in the project).
 * Everything the agent needs comes from the environment the daemon gives the service; a remote
 * service (`remote = true`, on another machine) needs only its token instead:
 * `agent({token})`, or CAPSULE_AGENT_TOKEN, and it connects over TLS to the daemon the token names.
 */
import {CapsuleError} from '../lib/errors.js';
import {agentIdentity} from './identity.js';
import {ServiceAgent, type ActionHandler} from './service-agent.js';

export type {ActionContext, ActionHandler} from './service-agent.js';
export {MAX_AGENT_METRICS} from '../protocol/index.js';
import type {ConfigValue} from '../protocol/index.js';

export type {ConfigValue};

/** An action handled in-process, with a description for `capsule services` and the dashboard. */
export interface ActionDeclaration {
  description?: string;
  run: ActionHandler;
}

export interface AgentOptions<Config extends Record<string, ConfigValue> = Record<string, ConfigValue>> {
  /** The service's version, shown with its agent. @default null */
  version?: string;
  /**
   * Actions this process handles, by name: `capsule action ns/svc NAME --arg k=v` calls the
   * handler with `{k: "v"}` and prints what it returns (which must be JSON). A handler that
   * throws makes the action fail with its message. Declaring an action in capsule.toml without
   * a `command` is optional: it gives a description and a timeout.
   */
  actions?: Record<string, ActionHandler | ActionDeclaration>;
  /**
   * Called after `capsule config set` changed a value, with every current value (secrets
   * included) and the changed keys. Throwing (or rejecting) refuses the change live: the
   * daemon restarts the service to apply it. Without it, changes apply live: read `config`.
   */
  onConfig?: (values: Readonly<Config>, changed: string[]) => void | Promise<void>;
  /** Connection trouble after the first registration (the agent reconnects by itself). @default ignored */
  onError?: (error: Error) => void;
  /** Where the daemon's socket, the token and the service's name are read. @default process.env */
  env?: NodeJS.ProcessEnv;
  /**
   * A remote service's token (`capsule service token NS/NAME` on the daemon's machine): the agent
   * connects over TLS to the daemon it names, pinning its certificate. @default CAPSULE_AGENT_TOKEN
   */
  token?: string;
  /** "capsule://host:port": where to reach the daemon, when not at the token's address. @default CAPSULE_AGENT_URL, else the token's */
  url?: string;
}

export interface Agent<Config extends Record<string, ConfigValue> = Record<string, ConfigValue>> {
  /** "namespace/name" of this service. */
  readonly service: string;
  /** The current config values, secrets included; replaced (not mutated) on each change. */
  readonly config: Readonly<Config>;
  /** False while the daemon is away (the agent is reconnecting). */
  readonly connected: boolean;
  /**
   * Says how the service is doing. Sent at once; with `heartbeat = true` declared as the health
   * probe, `ok: false` makes the service unhealthy (and restarted, per its restart policy).
   */
  health(report: {ok: boolean; detail?: string}): void;
  /** Sets a custom metric, sent with the next heartbeat. At most MAX_AGENT_METRICS (100) names. */
  metric(name: string, value: number): void;
  /** Disconnects for good: no more heartbeats, config changes or actions. */
  close(): Promise<void>;
}

/** One agent per process: two would take the service's place from each other. */
let active: ServiceAgent | null = null;

/**
 * Connects to the daemon that started this service (or, with a remote service's token, to the
 * daemon the token names) and registers it. Resolves once registered (retrying for up to 10 s
 * while the daemon catches up); rejects with a CapsuleError when the process was not started by
 * capsule and has no remote token, when its token is refused, or when the daemon's certificate is
 * not the one the token pins.
 */
export async function agent<Config extends Record<string, ConfigValue> = Record<string, ConfigValue>>(options: AgentOptions<Config> = {}): Promise<Agent<Config>> {
  if (active) {
    throw new CapsuleError('conflict', `agent() was already called in this process for ${active.identity.service}`, {hint: 'share the agent it returned, or close() it first'});
  }
  const identity = agentIdentity(options.env ?? process.env, {url: options.url, token: options.token});
  const actions = normalizeActions(options.actions ?? {});
  const service = new ServiceAgent(
    identity,
    {version: options.version ?? null, actions: Object.entries(actions).map(([name, action]) => ({name, description: action.description ?? null}))},
    {
      actions: Object.fromEntries(Object.entries(actions).map(([name, action]) => [name, action.run])),
      onConfig: options.onConfig as ((values: Readonly<Record<string, ConfigValue>>, changed: string[]) => void | Promise<void>) | undefined,
      onError: options.onError,
    },
  );
  active = service;
  try {
    await service.start();
  } catch (error) {
    active = null;
    throw error;
  }
  return {
    service: identity.service,
    get config() {
      return service.config as Readonly<Config>;
    },
    get connected() {
      return service.connected;
    },
    health: (report) => service.health(report.ok, report.detail ?? null),
    metric: (name, value) => service.metric(name, value),
    close: async () => {
      service.close();
      if (active === service) active = null;
    },
  };
}


function normalizeActions(actions: Record<string, ActionHandler | ActionDeclaration>): Record<string, ActionDeclaration> {
  return Object.fromEntries(
    Object.entries(actions).map(([name, action]) => {
      const declaration = typeof action === 'function' ? {run: action} : action;
      if (typeof declaration?.run !== 'function') {
        throw new CapsuleError('bad_input', `agent(): action ${name} must be a function or {description, run}, got ${typeof action}`);
      }
      return [name, declaration];
    }),
  );
}
