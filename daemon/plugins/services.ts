import type {ProjectConfig} from '../../src/config/index.js';
import type {ConfigValue, ServiceConfig} from '../../src/config/services.js';
import {CapsuleError, notFound} from '../../src/lib/errors.js';
import type {HomePaths} from '../../src/lib/home.js';
import {nearestName} from '../../src/lib/suggest.js';
import type {ProjectService, ProjectSummary, RemoteServiceStatus, ServiceLogLine, ServiceSummary} from '../../src/protocol/index.js';
import type {AgentHub} from '../agent/agent-hub.js';
import type {AuditLog} from '../core/audit-log.js';
import type {EventBus} from '../core/event-bus.js';
import type {Logger} from '../core/logger.js';
import {isSealed, type SecretBox, type SealedValue} from '../core/secret-box.js';
import type {DaemonState} from '../core/state.js';
import type {JsonStore} from '../core/store.js';
import type {ProjectPlugin} from '../projects/registry.js';
import {Supervisor, type InstanceLogLine, type ServiceSnapshot, type SupervisorOptions} from '../supervisor/index.js';
import {splitInstance} from '../../src/protocol/instances.js';


/**
 * Wires the supervisor into the daemon: services start with their project, their state and
 * output are published, their process records, config values and operators' stops persist in state.json, their
 * audit events join the daemon's audit trail, and their embedded agents (through `agents`)
 * get config changes live and run in-process actions.
 */
export class ServicesPlugin implements ProjectPlugin {
  readonly supervisor: Supervisor;
  /** A renamed project's services stop before their new namespace's start: they would bind the same ports. */
  readonly exclusive = true;
  private readonly declared = new Map<string, ProjectConfig['services']>();
  private readonly logFollowers = new Map<string, (() => void)[]>();

  constructor(
    paths: Pick<HomePaths, 'home' | 'serviceLogsDir'>,
    private readonly state: JsonStore<DaemonState>,
    private readonly bus: EventBus,
    audit: AuditLog,
    private readonly secrets: SecretBox,
    private readonly logger: Logger,
    private readonly agents?: AgentHub,
    /** Checks the token a remote service's agent registers with (remote-control.ts). Without it no remote agent registers. */
    checkRemoteToken?: (namespace: string, name: string, token: string) => void,
  ) {
    const services = state.data.services;
    const saveConfigValues = async (namespace: string, name: string, values: Record<string, ConfigValue>) => {
      const declarations = this.declared.get(namespace)?.[name]?.config ?? {};
      services.config[`${namespace}/${name}`] = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, declarations[key]?.secret ? this.secrets.seal(value) : value]));
      await state.save();
    };
    this.supervisor = new Supervisor({
      logsDir: paths.serviceLogsDir,
      unwatched: [paths.home],
      persistence: {
        listProcesses: async () => [...services.processes],
        saveProcess: async (record) => {
          services.processes = [...services.processes.filter((other) => other.namespace !== record.namespace || other.name !== record.name), record];
          await state.save();
        },
        removeProcess: async (namespace, name) => {
          services.processes = services.processes.filter((other) => other.namespace !== namespace || other.name !== name);
          await state.save();
        },
        loadConfigValues: async (namespace, name) => {
          const stored = services.config[`${namespace}/${name}`] ?? {};
          const values = this.unseal(`${namespace}/${name}`, stored);
          // A secret set before values were sealed (or before its key was declared secret) is sealed now.
          const declarations = this.declared.get(namespace)?.[name]?.config ?? {};
          if (Object.entries(stored).some(([key, value]) => declarations[key]?.secret && !isSealed(value))) await saveConfigValues(namespace, name, values);
          return values;
        },
        saveConfigValues: (namespace, name, values) => saveConfigValues(namespace, name, values),
        loadStoppedByOperator: async (namespace, name) => (services.stoppedByOperator ?? []).includes(`${namespace}/${name}`),
        saveStoppedByOperator: async (namespace, name, stopped) => {
          const target = `${namespace}/${name}`;
          const others = (services.stoppedByOperator ?? []).filter((other) => other !== target);
          services.stoppedByOperator = stopped ? [...others, target] : others;
          await state.save();
        },
      },
      audit: (event) => audit.record({actor: event.actor, kind: `service.${event.kind}`, target: event.target, details: this.withAgentAddress(event.target, event.details)}),
      onState: (snapshot) => this.publishState(snapshot),
      onScaled: (namespace, name, instances) => this.saveScaled(namespace, name, instances),
      ...(agents ? agentOptions(agents) : {}),
    });
    agents?.attach({
      declaration: (namespace, name) => this.declaration(namespace, name),
      agentTokenHash: (namespace, name) => this.supervisor.agentTokenHash(namespace, name),
      configValues: (namespace, name) => this.supervisor.unmaskedConfigValues(namespace, name),
      heartbeat: (namespace, name, health) => this.supervisor.heartbeat(namespace, name, health),
      changed: (namespace, name) => {
        if (this.has(namespace, name)) this.publishState(this.supervisor.snapshot(namespace, name));
      },
      audit: (kind, target, details) => audit.record({kind, target, details}),
      checkRemoteToken: (namespace, name, token) => {
        if (!checkRemoteToken) throw new CapsuleError('conflict', 'this daemon takes no remote agents', {hint: 'add `listen` to CAPSULE_HOME/daemon.toml and restart the daemon'});
        checkRemoteToken(namespace, name, token);
      },
      remoteConnected: (namespace, name, presence) => void this.supervisor.remoteConnected(namespace, name, presence).catch((error: unknown) => this.logger.error(`${namespace}/${name}: remote agent`, error)),
      remoteDisconnected: (namespace, name, reason) => void this.supervisor.remoteDisconnected(namespace, name, reason).catch((error: unknown) => this.logger.error(`${namespace}/${name}: remote agent`, error)),
    });
  }

  /** Takes over the processes a previous daemon left running (before any project loads). */
  async adopt(): Promise<void> {
    await this.supervisor.adopt();
  }

  /** After every project loaded: stops recorded processes no project declares any more. */
  async settleAdoption(): Promise<string[]> {
    return this.supervisor.settleAdoption();
  }

  async load(project: ProjectConfig): Promise<void> {
    const namespace = project.project.name;
    // Declared first: units created now read their stored values, which depend on what is secret.
    const previous = this.declared.get(namespace);
    this.declared.set(namespace, project.services);
    try {
      await this.supervisor.setProjectServices(namespace, project.root, await this.scaledServices(namespace, project.services));
    } catch (error) {
      if (previous) this.declared.set(namespace, previous);
      else this.declared.delete(namespace);
      throw error;
    }
    this.dropRemoteAgents(namespace, previous, project.services);
    this.followLogs(namespace, Object.keys(project.services));
  }

  async unload(namespace: string): Promise<void> {
    this.followLogs(namespace, []);
    const previous = this.declared.get(namespace);
    this.declared.delete(namespace);
    await this.supervisor.removeProject(namespace);
    this.dropRemoteAgents(namespace, previous, {});
  }

  /** A remote service's events say where its agent is: a config change or an action reached that machine. */
  private withAgentAddress(target: string, details: Record<string, unknown>): Record<string, unknown> {
    const slash = target.indexOf('/');
    const namespace = target.slice(0, slash);
    const name = splitInstance(target.slice(slash + 1)).service;
    if (!this.declared.get(namespace)?.[name]?.remote) return details;
    const address = this.agents?.address(namespace, name);
    return address ? {...details, address} : details;
  }

  /** A remote service no longer declared (as remote) has its agent's session ended: nothing would answer its heartbeats. */
  private dropRemoteAgents(namespace: string, before: ProjectConfig['services'] | undefined, after: ProjectConfig['services']): void {
    for (const [name, config] of Object.entries(before ?? {})) {
      if (config.remote && !after[name]?.remote) this.agents?.disconnect(namespace, name, 'it is no longer declared as a remote service');
    }
  }

  /** After `project remove`: a project added again starts afresh, its operator's stops forgotten. */
  async forget(namespace: string): Promise<void> {
    this.followLogs(namespace, []);
    const {services} = this.state.data;
    services.stoppedByOperator = (services.stoppedByOperator ?? []).filter((target) => !target.startsWith(`${namespace}/`));
    services.scaled = Object.fromEntries(Object.entries(services.scaled ?? {}).filter(([target]) => !target.startsWith(`${namespace}/`)));
    await this.state.save();
  }

  describe(project: ProjectConfig, summary: ProjectSummary): void {
    summary.services = this.supervisor.snapshot(project.project.name).map((snapshot) => this.summarize(snapshot));
  }

  list(namespace?: string): ProjectService[] {
    return this.supervisor.snapshot(namespace).map((snapshot) => this.summarize(snapshot));
  }

  has(namespace: string, name: string): boolean {
    return this.declared.get(namespace)?.[name] !== undefined;
  }

  summarize(snapshot: ServiceSnapshot): ProjectService {
    const service = splitInstance(snapshot.name).service;
    return {
      namespace: snapshot.namespace,
      name: snapshot.name,
      instance: snapshot.instance,
      instances: snapshot.instances,
      command: snapshot.command,
      description: snapshot.description,
      state: snapshot.state,
      health: snapshot.health,
      pid: snapshot.pid,
      uptimeMs: snapshot.uptimeMs,
      restarts: snapshot.restarts,
      lastExit: snapshot.lastExit,
      reason: snapshot.reason,
      cpuPercent: snapshot.cpuPercent,
      rssBytes: snapshot.rssBytes,
      agent: this.agents?.isConnected(snapshot.namespace, snapshot.name) ?? false,
      actions: this.actionsOf(snapshot.namespace, service),
      remote: remoteStatus(snapshot.remote),
    };
  }

  /**
   * The declared services with the counts `capsule scale` set: a count holds while capsule.toml
   * declares the `instances` it declared when the count was set; once that changes, the file wins.
   */
  private async scaledServices(namespace: string, declared: ProjectConfig['services']): Promise<ProjectConfig['services']> {
    const scaled = {...this.state.data.services.scaled};
    const services = {...declared};
    let dropped = false;
    for (const [name, config] of Object.entries(declared)) {
      const kept = scaled[`${namespace}/${name}`];
      if (kept === undefined) continue;
      if (kept.declared === config.instances) services[name] = {...config, instances: kept.instances};
      else {
        delete scaled[`${namespace}/${name}`];
        dropped = true;
        this.logger.info(`${namespace}/${name}: capsule.toml now declares instances = ${config.instances}, which replaces the ${kept.instances} of \`capsule scale\``);
      }
    }
    if (dropped) {
      this.state.data.services.scaled = scaled;
      await this.state.save();
    }
    return services;
  }

  private async saveScaled(namespace: string, name: string, instances: number): Promise<void> {
    const declared = this.declared.get(namespace)?.[name]?.instances ?? 1;
    const {services} = this.state.data;
    const scaled = {...services.scaled};
    if (instances === declared) delete scaled[`${namespace}/${name}`];
    else scaled[`${namespace}/${name}`] = {instances, declared};
    services.scaled = scaled;
    await this.state.save();
  }

  private unseal(target: string, stored: Record<string, ConfigValue | SealedValue>): Record<string, ConfigValue> {
    const values: Record<string, ConfigValue> = {};
    for (const [key, value] of Object.entries(stored)) {
      if (!isSealed(value)) values[key] = value;
      else {
        const opened = this.secrets.open(value);
        if (opened === undefined) this.logger.warn(`config ${key} of ${target} was sealed under another agent.key and cannot be read: set it again with \`capsule config set\``);
        else values[key] = opened;
      }
    }
    return values;
  }

  /** What capsule.toml declares for one service; not_found with the nearest name if nothing. */
  declaration(namespace: string, name: string): ServiceConfig {
    const services = this.declared.get(namespace) ?? {};
    const config = services[name];
    if (config) return config;
    const suggestion = nearestName(name, Object.keys(services));
    throw notFound(`${namespace} declares no service "${name}"`, suggestion ? `did you mean "${suggestion}"?` : 'capsule services lists them');
  }

  /** Declared actions, then those only the connected agent lists. */
  private actionsOf(namespace: string, name: string): ServiceSummary['actions'] {
    const declared = Object.entries(this.declared.get(namespace)?.[name]?.actions ?? {}).map(([action, config]) => ({name: action, description: config.description ?? null}));
    const listed = (this.agents?.manifestActions(namespace, name) ?? []).filter((action) => !declared.some((other) => other.name === action.name));
    return [...declared, ...listed];
  }

  private publishState(snapshot: ServiceSnapshot): void {
    this.bus.publish('service.updated', this.summarize(snapshot), topicsOf(snapshot.namespace, snapshot.name));
  }

  publishActionOutput(key: string, output: {namespace: string; name: string; action: string; chunk: string}): void {
    this.bus.publish('action.output', output, [key]);
  }

  /** The longest close() may take to stop every service (Supervisor.longestStopMs). */
  longestStopMs(): number {
    return this.supervisor.longestStopMs();
  }

  /** `leaveServices`: their processes stay for the next daemon (live restore). */
  close(options: {leaveServices?: boolean} = {}): Promise<void> {
    for (const namespace of [...this.logFollowers.keys()]) this.followLogs(namespace, []);
    return this.supervisor.close(options);
  }

  /** Publishes each service's output lines; subscribers of `service:<ns>/<name>` get that one service's, of `service:<ns>` its project's. */
  private followLogs(namespace: string, names: string[]): void {
    for (const stop of this.logFollowers.get(namespace) ?? []) stop();
    const stops = names.map((name) => this.supervisor.followLogs(namespace, name, (line) => this.bus.publish('service.log', toLogLine(namespace, line), [...topicsOf(namespace, line.name), namespace])));
    this.logFollowers.set(namespace, stops);
  }
}

function agentOptions(agents: AgentHub): Pick<SupervisorOptions, 'serviceEnvironment' | 'onConfigChange' | 'agentActions'> {
  return {
    serviceEnvironment: () => agents.environment(),
    onConfigChange: (change) => agents.deliverConfig(change),
    agentActions: agents,
  };
}

function remoteStatus(remote: ServiceSnapshot['remote']): RemoteServiceStatus | null {
  if (remote === null) return null;
  const {presence} = remote;
  return {connected: remote.connected, address: presence?.address ?? null, host: presence?.host ?? null, pid: presence?.pid ?? null, version: presence?.version ?? null, connectedAt: presence?.connectedAt ?? null, lastHeartbeatAt: remote.lastHeartbeatAt};
}

export function toLogLine(namespace: string, line: InstanceLogLine): ServiceLogLine {
  return {namespace, name: line.name, seq: line.seq, time: line.time, stream: line.stream, line: line.text};
}

/** An instance's events go to those following it (`ns/api#2`) and its service (`ns/api`). */
function topicsOf(namespace: string, name: string): string[] {
  const service = splitInstance(name).service;
  return service === name ? [`${namespace}/${name}`] : [`${namespace}/${name}`, `${namespace}/${service}`];
}
