/**
 * The daemon's side of the agent contract: gives each service process the socket, registers the
 * agents that connect back with their launch's token (see supervisor/agent-token.ts), and routes to them what the supervisor asks (a
 * config change, an action). At most one agent per service: a newer registration replaces
 * the older one (a restarted process registering before its predecessor's socket closed).
 */
import type {ConfigValue, ServiceConfig} from '../../src/config/services.js';
import {CapsuleError} from '../../src/lib/errors.js';
import {AGENT_ENVIRONMENT, type AgentHealth, type AgentRegistration, type AgentStatus} from '../../src/protocol/index.js';
import {agentTokenMatches, type AgentActionOutcome, type AgentActionRequest, type AgentActionRunner, type ConfigChange, type RemotePresence} from '../supervisor/index.js';
import {AgentSession, type AgentManifest} from './agent-session.js';

/** An agent that does not acknowledge a config change within this is assumed not to have applied it: the service is restarted. */
export const CONFIG_DELIVERY_TIMEOUT_MS = 10_000;
/** How often an agent beats when no `heartbeat` probe asks for more. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;
/** The fastest an agent is asked to beat, however short the probe interval. */
const MIN_HEARTBEAT_INTERVAL_MS = 100;

/** What the hub needs of the services it serves; the services plugin provides it. */
export interface AgentHost {
  /** The service's declaration; throws not_found when it is not declared. */
  declaration(namespace: string, name: string): ServiceConfig;
  /** SHA-256 of the agent token the service's running process was given; undefined while it has none. */
  agentTokenHash(namespace: string, name: string): string | undefined;
  /** Current config values, secrets unmasked. */
  configValues(namespace: string, name: string): Record<string, ConfigValue>;
  heartbeat(namespace: string, name: string, health?: AgentHealth): void;
  /** An agent connected or left: the service's summary changed. */
  changed(namespace: string, name: string): void;
  /** Records an audit event (`agent.connect`, `agent.disconnect`). */
  audit(kind: string, target: string, details: Record<string, unknown>): void;
  /** Checks a remote service's token (the whole token string); throws a CapsuleError saying why it is refused. */
  checkRemoteToken(namespace: string, name: string, token: string): void;
  /** A remote service's agent registered, or went away. */
  remoteConnected(namespace: string, name: string, presence: RemotePresence): void;
  remoteDisconnected(namespace: string, name: string, reason: string): void;
}

/** Where a connection comes from: the daemon's own socket, or (`address`) a remote agent's TLS connection. */
export interface AgentPeer {
  address: string;
}

export interface RegisterParams extends AgentManifest {
  service: string;
  token: string;
  /** The agent's own host name; shown for a remote service. */
  host?: string | null;
}

export class AgentHub implements AgentActionRunner {
  private host: AgentHost | null = null;
  private readonly byTarget = new Map<string, AgentSession>();
  private readonly byId = new Map<string, AgentSession>();

  /** `socket` is the daemon's socket, handed to every service. */
  constructor(
    private readonly socket: string,
    private readonly now: () => number = Date.now,
  ) {}

  attach(host: AgentHost): void {
    this.host = host;
  }

  /** What every process of a service (and its probes and actions) finds in its environment; the token is the supervisor's, per launch. */
  environment(): Record<string, string> {
    return {[AGENT_ENVIRONMENT.socket]: this.socket};
  }

  /** `peer`: the connection is a remote agent's (TLS), which may register a remote service only, with its token. */
  async register(connectionId: number, params: RegisterParams, peer?: AgentPeer): Promise<AgentRegistration> {
    const host = this.requireHost();
    const {namespace, name} = splitTarget(params.service);
    const target = `${namespace}/${name}`;
    const declaration = host.declaration(namespace, name);
    if (declaration.remote !== (peer !== undefined)) {
      throw new CapsuleError('bad_request', declaration.remote ? `${target} is a remote service: its agent connects over TLS with the token \`capsule service token ${target}\` prints` : `${target} is not a remote service: only a remote one (remote = true in capsule.toml) registers over the network`, {
        hint: declaration.remote ? `pass the token to agent({token}) or as ${AGENT_ENVIRONMENT.token}` : `declare [services.${name}] remote = true to run it elsewhere`,
      });
    }
    if (peer) host.checkRemoteToken(namespace, name, params.token);
    else {
      // Only the token of the running process's launch: the pid an agent reports is its own claim, and proves nothing.
      const expected = host.agentTokenHash(namespace, name);
      if (expected === undefined) throw new CapsuleError('conflict', `${target} is not running`, {hint: 'an agent registers from within the running service'});
      if (!agentTokenMatches(expected, params.token)) {
        throw new CapsuleError('bad_request', `the agent token is not the one ${target}'s running process was given`, {
          hint: `an agent connects from the process the daemon started as ${target} (or one it started), with the ${AGENT_ENVIRONMENT.token} it was given; a process started before the service's last restart must restart too`,
        });
      }
    }
    const session = new AgentSession(target, connectionId, {pid: params.pid, version: params.version, actions: params.actions}, this.now(), peer?.address ?? null);
    const replaced = this.byTarget.get(target);
    if (replaced) this.drop(replaced, 'replaced by a newer registration');
    this.byTarget.set(target, session);
    this.byId.set(session.id, session);
    host.audit('agent.connect', target, {pid: params.pid, version: params.version, actions: session.actionNames, ...(peer ? {address: peer.address, host: params.host ?? null} : {})});
    if (peer) host.remoteConnected(namespace, name, {address: peer.address, host: params.host ?? null, pid: params.pid, version: params.version, connectedAt: new Date(this.now()).toISOString()});
    host.changed(namespace, name);
    return {session: session.id, config: host.configValues(namespace, name), heartbeatIntervalMs: heartbeatInterval(declaration)};
  }

  /** The session a call names, if it is this connection's. */
  session(sessionId: string, connectionId: number): AgentSession {
    const session = this.byId.get(sessionId);
    if (!session || session.connectionId !== connectionId) {
      throw new CapsuleError('not_found', 'no agent session with that id on this connection', {hint: 'register again with agent.register'});
    }
    return session;
  }

  heartbeat(session: AgentSession, health?: AgentHealth, metrics?: Record<string, number>): void {
    session.beat(this.now(), health, metrics);
    const {namespace, name} = splitTarget(session.target);
    this.requireHost().heartbeat(namespace, name, health);
  }

  /** The connections an embedded agent is registered on. */
  connectionIds(): number[] {
    return [...new Set([...this.byId.values()].map((session) => session.connectionId))];
  }

  /** A client connection closed: the agents it carried are gone. */
  disconnected(connectionId: number): void {
    for (const session of [...this.byId.values()]) if (session.connectionId === connectionId) this.drop(session, 'its connection closed');
  }

  isConnected(namespace: string, name: string): boolean {
    return this.byTarget.has(`${namespace}/${name}`);
  }

  /** A remote agent's IP address, while it is connected. */
  address(namespace: string, name: string): string | null {
    return this.byTarget.get(`${namespace}/${name}`)?.address ?? null;
  }

  status(namespace: string, name: string): AgentStatus | null {
    return this.byTarget.get(`${namespace}/${name}`)?.status() ?? null;
  }

  actions(namespace: string, name: string): string[] | null {
    return this.byTarget.get(`${namespace}/${name}`)?.actionNames ?? null;
  }

  /** The agent's manifest entries (for listing), empty when none is connected. */
  manifestActions(namespace: string, name: string): AgentManifest['actions'] {
    return this.byTarget.get(`${namespace}/${name}`)?.manifest.actions ?? [];
  }

  run(namespace: string, name: string, request: AgentActionRequest): Promise<AgentActionOutcome> {
    const session = this.byTarget.get(`${namespace}/${name}`);
    if (!session) return Promise.reject(new CapsuleError('conflict', `no agent of ${namespace}/${name} is connected`, {hint: `check that ${namespace}/${name} is running`}));
    return session.ask({kind: 'action', action: request.action, args: request.args}, {signal: request.signal, onOutput: request.onOutput});
  }

  /** The supervisor's onConfigChange: true once the agent applied the change, false to have the service restarted instead. */
  async deliverConfig(change: ConfigChange): Promise<boolean> {
    const session = this.byTarget.get(`${change.namespace}/${change.name}`);
    if (!session) return false;
    try {
      const outcome = await session.ask({kind: 'config', key: change.key, values: change.values}, {signal: AbortSignal.timeout(CONFIG_DELIVERY_TIMEOUT_MS)});
      return outcome.ok;
    } catch {
      return false;
    }
  }

  /** Ends the service's agent session (its token was revoked or replaced); returns the connection it was on. */
  disconnect(namespace: string, name: string, reason: string): number | undefined {
    const session = this.byTarget.get(`${namespace}/${name}`);
    if (!session) return undefined;
    this.drop(session, reason);
    return session.connectionId;
  }

  close(): void {
    for (const session of [...this.byId.values()]) this.drop(session, 'the daemon is stopping');
  }

  private drop(session: AgentSession, reason: string): void {
    session.end(reason);
    this.byId.delete(session.id);
    if (this.byTarget.get(session.target) !== session) return;
    this.byTarget.delete(session.target);
    const {namespace, name} = splitTarget(session.target);
    this.host?.audit('agent.disconnect', session.target, {pid: session.manifest.pid, reason, ...(session.address === null ? {} : {address: session.address})});
    if (session.address !== null) this.host?.remoteDisconnected(namespace, name, reason);
    this.host?.changed(namespace, name);
  }

  private requireHost(): AgentHost {
    if (!this.host) throw new CapsuleError('conflict', 'services are not running yet', {hint: 'try again in a moment'});
    return this.host;
  }
}

/** A `heartbeat` probe passes while beats are at most interval + timeout apart: beating every half interval leaves room for a slow one. */
function heartbeatInterval(declaration: ServiceConfig): number {
  const health = declaration.health;
  if (health?.probe.kind !== 'heartbeat') return DEFAULT_HEARTBEAT_INTERVAL_MS;
  return Math.max(MIN_HEARTBEAT_INTERVAL_MS, Math.min(DEFAULT_HEARTBEAT_INTERVAL_MS, Math.floor(health.intervalMs / 2)));
}

function splitTarget(service: string): {namespace: string; name: string} {
  const slash = typeof service === 'string' ? service.indexOf('/') : -1;
  if (slash <= 0 || slash === service.length - 1) throw new CapsuleError('bad_input', `expected the service as "namespace/name", got ${JSON.stringify(service)}`);
  return {namespace: service.slice(0, slash), name: service.slice(slash + 1)};
}
