import {z} from 'zod';
import {Instant, ItemRef, Text} from './common.js';
import {CONFIG_DELIVERIES, CONFIG_VALUE_TYPES, HEALTH_STATUSES, LOG_STREAMS, SERVICE_STATES} from './vocabulary.js';

/**
 * A service as `capsule list`, `capsule services` and the dashboard show it: one per instance,
 * `name` the instance's (`api`, or `api#2` while the service runs several: see instances.ts).
 */
/** A remote service's agent, which connects from another machine (`remote = true`). */
export const RemoteServiceStatus = z.object({
  connected: z.boolean(),
  /** The peer's IP address, of the last connection; null until the first. */
  address: z.string().nullable(),
  /** The host name its agent gave. */
  host: z.string().nullable(),
  /** What the agent reported of itself when it last registered: a pid on its own machine, its version. */
  pid: z.number().int().nullable(),
  version: z.string().nullable(),
  connectedAt: Instant.nullable(),
  /** null while disconnected. */
  lastHeartbeatAt: Instant.nullable(),
});
export type RemoteServiceStatus = z.infer<typeof RemoteServiceStatus>;

export const ServiceToken = z.object({
  service: z.string(),
  /** What the agent is given (`agent({token})`, or CAPSULE_AGENT_TOKEN); null once revoked. */
  token: z.string().nullable(),
  /** "host:port" the token sends the agent to; null when the daemon opens no port (daemon.toml has no `listen`). */
  address: z.string().nullable(),
  /** SHA-256 of the daemon's TLS certificate, pinned by the token. */
  fingerprint: z.string().nullable(),
  issuedAt: Instant.nullable(),
  expiresAt: Instant.nullable(),
  /** This call made a new token (the first, or `rotate`). */
  issued: z.boolean(),
  revoked: z.boolean(),
});
export type ServiceToken = z.infer<typeof ServiceToken>;

export const ServiceSummary = z.object({
  name: z.string(),
  /** 0 … instances-1, what the process has in CAPSULE_INSTANCE. */
  instance: z.number().int().nonnegative(),
  /** How many instances the service runs (`instances`, or `capsule scale`). */
  instances: z.number().int().positive(),
  command: z.union([z.array(z.string()), z.string()]),
  description: z.string().nullable(),
  state: z.enum(SERVICE_STATES),
  /** null when the service declares no health check. */
  health: z.enum(HEALTH_STATUSES).nullable(),
  pid: z.number().int().nullable(),
  uptimeMs: z.number().nullable(),
  restarts: z.number().int(),
  lastExit: z.object({code: z.number().int().nullable(), signal: z.string().nullable(), at: Instant}).nullable(),
  /** Why it is `failed` or `unhealthy`, or could not be started: "command not found: nodee", "HTTP 503"; null otherwise. */
  reason: z.string().nullable(),
  cpuPercent: z.number().nullable(),
  rssBytes: z.number().nullable(),
  /** Whether an embedded agent is connected (config changes then apply live). */
  agent: z.boolean(),
  actions: z.array(z.object({name: z.string(), description: z.string().nullable()})),
  /** null: a service the daemon starts. */
  remote: RemoteServiceStatus.nullable(),
});
export type ServiceSummary = z.infer<typeof ServiceSummary>;

export const ProjectService = ServiceSummary.extend({
  namespace: z.string(),
  /** With a backend: the node supervising it (`service.list` lists every node's); absent on a daemon alone. */
  node: z.string().optional(),
});
export type ProjectService = z.infer<typeof ProjectService>;

export const ConfigValue = z.union([z.string(), z.number(), z.boolean()]);
export type ConfigValue = z.infer<typeof ConfigValue>;

/** One declared configuration key of a service, with its effective value. */
export const ConfigEntry = z.object({
  key: z.string(),
  type: z.enum(CONFIG_VALUE_TYPES),
  /** Secrets are always "***" here. */
  value: ConfigValue.nullable(),
  default: ConfigValue.nullable(),
  description: z.string().nullable(),
  secret: z.boolean(),
  /** Set by an operator (not the declared default). */
  overridden: z.boolean(),
});
export type ConfigEntry = z.infer<typeof ConfigEntry>;

export const ServiceLogLine = z.object({
  namespace: z.string(),
  /** The instance the line is from, as ServiceSummary names it. */
  name: z.string(),
  /**
   * The line's place in the service's log: one more for each next line, kept in the log file so it
   * goes on counting across daemon restarts and rotations; 0 for a line written before Capsule kept
   * these. A follower drops a line whose seq it already has (see `service.logs`).
   */
  seq: z.number().int().nonnegative(),
  time: Instant,
  stream: z.enum(LOG_STREAMS),
  line: z.string(),
});
export type ServiceLogLine = z.infer<typeof ServiceLogLine>;

/** What an operator action did: a command's exit, or what an agent's in-process action returned. */
export const ActionResult = z.object({
  action: z.string(),
  /** null when the command was killed by a signal (or timed out). */
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  timedOut: z.boolean(),
  /** The last lines of output (bounded), secrets masked. */
  output: z.string(),
  durationMs: z.number(),
  /** What an in-process (agent) action returned, secrets masked; null for a command action. */
  result: z.unknown(),
});
export type ActionResult = z.infer<typeof ActionResult>;

/** `name` omitted: every service of the namespace. */
const ServicesOf = z.strictObject({namespace: Text, name: Text.optional()});
const Services = z.object({services: z.array(ProjectService)});
const ConfigKey = ItemRef.extend({key: Text});

const ServiceLogsParams = z
  .strictObject({namespace: Text.optional(), name: Text.optional(), tail: z.number().int().nonnegative().default(100), follow: z.boolean().default(false)})
  .refine((params) => params.name === undefined || params.namespace !== undefined, {message: 'a name needs its namespace', path: ['name']});

/**
 * The seq of the newest line `service.logs` read of one service, whether the merge kept it in
 * `lines` or not: a follower drops a live line of that service at or below it.
 */
const ServiceLogPosition = z.object({namespace: z.string(), name: z.string(), seq: z.number().int().nonnegative()});
export type ServiceLogPosition = z.infer<typeof ServiceLogPosition>;

/** `capsule start --name NAME -- CMD`: a service of the ad-hoc project, its command and cwd resolved by the caller. */
const AdhocServiceParams = z.strictObject({
  name: Text,
  command: z.array(Text).min(1),
  cwd: Text.refine((dir) => dir.startsWith('/'), {message: 'expected an absolute directory'}),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name'), z.string()).default({}),
  restart: z.enum(['always', 'on-failure', 'never']).nullable().default(null),
  health: Text.nullable().default(null),
});

/** What `capsule describe` shows of a service beside its summary: its declaration and where its output goes. */
export const ServiceDescription = z.object({
  namespace: z.string(),
  name: z.string(),
  /** The capsule.toml that declares it. */
  file: z.string(),
  instances: z.array(ProjectService),
  command: z.union([z.array(z.string()), z.string()]),
  cwd: z.string(),
  /** Names only: values may be secrets. */
  envKeys: z.array(z.string()),
  envFile: z.string().nullable(),
  restart: z.enum(['always', 'on-failure', 'never']),
  maxRestarts: z.number().int(),
  restartWindowMs: z.number(),
  stopSignal: z.string(),
  stopTimeoutMs: z.number(),
  health: z.object({probe: z.string(), intervalMs: z.number(), timeoutMs: z.number(), failureThreshold: z.number().int()}).nullable(),
  dependsOn: z.array(z.object({name: z.string(), condition: z.enum(['started', 'healthy'])})),
  port: z.number().int().nullable(),
  maxMemoryBytes: z.number().nullable(),
  config: z.array(ConfigEntry),
  logFiles: z.array(z.string()),
  adhoc: z.boolean(),
});
export type ServiceDescription = z.infer<typeof ServiceDescription>;

export const serviceMethods = {
  /**
   * Adds a service to the ad-hoc project (a capsule.toml the daemon keeps in CAPSULE_HOME) and
   * starts it. The same name with the same command and options starts it if it is down
   * (`created` false); with another command it is refused (`conflict`).
   */
  'service.create': {params: AdhocServiceParams, result: z.object({created: z.boolean(), file: z.string(), services: z.array(ProjectService)})},
  /** Stops a service of the ad-hoc project and removes it; one a project's own capsule.toml declares is refused. */
  'service.delete': {params: ItemRef, result: z.object({namespace: z.string(), name: z.string(), file: z.string()})},
  'service.describe': {params: ItemRef, result: ServiceDescription},

  'service.list': {params: z.strictObject({namespace: Text.optional()}), result: Services},
  'service.start': {params: ServicesOf, result: Services},
  'service.stop': {params: ServicesOf, result: Services},
  'service.restart': {params: ServicesOf, result: Services},
  /**
   * One service's last `tail` lines, or (`name` omitted) those of every service of the namespace,
   * or (both omitted) of every project's services, merged by time: the last `tail` of them all.
   * `follow`: also subscribes to later lines (topic `service:<ns>/<name>`, `service:<ns>` or
   * `service`), as `run.logs` does: see there. A service of several instances: theirs, each line
   * naming its instance (a follower tells lines apart by name and seq).
   */
  'service.logs': {params: ServiceLogsParams, result: z.object({lines: z.array(ServiceLogLine), readUpTo: z.array(ServiceLogPosition)})},
  'service.config.list': {params: ItemRef, result: z.object({entries: z.array(ConfigEntry)})},
  'service.config.get': {params: ConfigKey, result: z.object({entry: ConfigEntry})},
  /** `value` is parsed and validated against the declared type; `applied` says how the change reaches the service. */
  'service.config.set': {params: ConfigKey.extend({value: z.string()}), result: z.object({entry: ConfigEntry, applied: z.enum(CONFIG_DELIVERIES)})},
  /** The operator's value goes and the declared default applies again; `applied` as for `set`. */
  'service.config.unset': {params: ConfigKey, result: z.object({entry: ConfigEntry, applied: z.enum(CONFIG_DELIVERIES)})},
  /**
   * Empties the log of one service (each instance's), or (`name` omitted) of every service of the
   * namespace: the current files are cut to nothing and rotated ones removed, while the services
   * go on writing. `flushed` names each instance and the bytes it freed.
   */
  'service.logs.flush': {params: ServicesOf, result: z.object({flushed: z.array(z.object({namespace: z.string(), name: z.string(), bytes: z.number().int().nonnegative()}))})},
  /** Runs `instances` copies (1 … MAX_INSTANCES); kept until capsule.toml's `instances` changes. */
  'service.scale': {params: ItemRef.extend({instances: z.number().int()}), result: Services},
  /** Restarts the instances one at a time, each next once the one before is ready again within `timeoutMs`. */
  'service.reload': {params: ItemRef.extend({timeoutMs: z.number().int().positive().default(60_000)}), result: Services},
  /** Output streams as `action.output` events to the caller while the action runs. */
  /** A remote service's token (issued the first time, or with `rotate`); `revoke` ends it, disconnecting its agent. */
  'service.token': {
    params: ItemRef.extend({rotate: z.boolean().default(false), revoke: z.boolean().default(false), ttlMs: z.number().int().positive().nullable().default(null)}),
    result: ServiceToken,
  },
  'service.action': {params: ItemRef.extend({action: Text, args: z.record(z.string(), z.string()).default({})}), result: ActionResult},
};

/** Topic `service`; one service's events also go to `service:<ns>/<name>`, and its `service.log` lines to `service:<ns>` too. */
export const serviceEvents = {
  'service.updated': ProjectService,
  'service.log': ServiceLogLine,
  /** Streamed output of a running action, before its result; only to the caller (topic `action:<key>`). */
  'action.output': ItemRef.extend({action: z.string(), chunk: z.string()}),
};
