/**
 * The `[services.NAME]` table of capsule.toml: a strict zod schema (unknown keys are rejected,
 * so the config layer can suggest the key that was meant) whose output is the normalised
 * `ServiceConfig` the supervisor runs: durations and sizes in numbers, defaults filled in,
 * keys in camelCase.
 */
import {constants} from 'node:os';
import {isAbsolute} from 'node:path';
import {z} from 'zod';
import {globToRegExp} from '../lib/glob.js';
import {referenceProblems} from './config-refs.js';
import {duration, size} from './values.js';

export type RestartMode = 'always' | 'on-failure' | 'never';
export type DependencyCondition = 'started' | 'healthy';
import {CONFIG_VALUE_TYPES, type ConfigValueType} from '../protocol/vocabulary.js';
import {MAX_INSTANCES} from '../protocol/instances.js';
import type {ConfigValue} from '../protocol/index.js';

export type {ConfigValue, ConfigValueType} from '../protocol/index.js';

export interface BackoffConfig {
  /** @default 500 (ms) */
  initialMs: number;
  /** @default 2 */
  factor: number;
  /** @default 30000 (ms) */
  maxMs: number;
}

export interface ServiceDependency {
  name: string;
  /** `started`: the dependency's process is up; `healthy`: its health probe passes. @default "started" */
  condition: DependencyCondition;
}

export type HealthProbe =
  | {kind: 'http'; url: string; /** null: any 2xx status passes */ expectStatus: number | null}
  /** `port` null: the address was written `host:{port}`, each instance's own port. */
  | {kind: 'tcp'; host: string; port: number | null}
  | {kind: 'exec'; argv: string[]}
  | {kind: 'heartbeat'};

export interface HealthConfig {
  probe: HealthProbe;
  /** @default 10000 (ms) */
  intervalMs: number;
  /** @default 5000 (ms) */
  timeoutMs: number;
  /** Consecutive failed probes before the service is unhealthy. @default 3 */
  failureThreshold: number;
  /** Wait after a start before the first probe. @default 0 */
  initialDelayMs: number;
}

export interface ConfigKeyDeclaration {
  type: ConfigValueType;
  default: ConfigValue | null;
  description: string | null;
  /** Never printed, logged or audited: shown as `***`. @default false */
  secret: boolean;
}

export interface ActionConfig {
  /** null: the action is handled in-process by the service's embedded agent. */
  command: string[] | string | null;
  description: string | null;
  /** @default 300000 (ms) */
  timeoutMs: number;
}

export interface LogsConfig {
  /** A log file is rotated before it would grow past this. @default 10MB */
  maxSizeBytes: number;
  /** Rotated files kept besides the current one. @default 3 */
  keep: number;
}

export interface WatchConfig {
  /** Globs relative to the service's cwd whose files restart it when they change; `watch = true` is `["**"]`. */
  paths: string[];
  /** Globs relative to the service's cwd never watched (`watch_ignore`). @default [] */
  ignore: string[];
}

export interface ServiceConfig {
  /**
   * Runs on another machine, its embedded agent connecting over TLS with a token (`remote = true`):
   * the daemon starts, stops and restarts nothing; it governs the service through its agent.
   * @default false
   */
  remote: boolean;
  /** An argv array, or a string run by `/bin/sh -c`; `[]` for a remote service. */
  command: string[] | string;
  /** Relative to the project root. null: the project root. */
  cwd: string | null;
  env: Record<string, string>;
  /** A KEY=VALUE file, relative to the project root, read at every start. */
  envFile: string | null;
  description: string | null;
  version: string | null;
  /** @default true */
  autostart: boolean;
  /** @default "on-failure" */
  restart: RestartMode;
  backoff: BackoffConfig;
  /** Running (and healthy, when probed) this long resets the backoff. @default 10000 (ms) */
  minUptimeMs: number;
  /** More automatic restarts than this within `restartWindowMs` mark the service `failed`. @default 5 */
  maxRestarts: number;
  /** @default 300000 (ms) */
  restartWindowMs: number;
  /** @default "SIGTERM" */
  stopSignal: NodeJS.Signals;
  /** After this the whole process group gets SIGKILL. @default 10000 (ms) */
  stopTimeoutMs: number;
  dependsOn: ServiceDependency[];
  health: HealthConfig | null;
  config: Record<string, ConfigKeyDeclaration>;
  actions: Record<string, ActionConfig>;
  logs: LogsConfig;
  /** RSS of the whole process group above this restarts the service. */
  maxMemoryBytes: number | null;
  /** Copies run side by side, each told its number in CAPSULE_INSTANCE. @default 1 */
  instances: number;
  /** Instance N gets `PORT` = port + N, and a probe's `{port}` is that number. null: no PORT is set. */
  port: number | null;
  /** Files whose changes restart the service; null: none. */
  watch: WatchConfig | null;
}

const CONFIG_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

const argv = z.array(z.string().min(1, 'an argv entry cannot be empty')).min(1, 'expected the program and its arguments, got an empty array');
const command = z.union([z.string().trim().min(1, 'expected a command to run'), argv]);

const signal = z.string().refine((value) => value.startsWith('SIG') && value in constants.signals, {
  message: 'expected a signal name such as "SIGTERM", "SIGINT" or "SIGHUP"',
});

const backoffSchema = z.strictObject({
  initial: duration('backoff.initial').prefault('500ms'),
  factor: z.number().min(1, 'backoff.factor must be at least 1').prefault(2),
  max: duration('backoff.max').prefault('30s'),
});

const dependencySchema = z.union([
  z.string().regex(NAME_PATTERN, 'expected a service name'),
  z.strictObject({name: z.string().regex(NAME_PATTERN, 'expected a service name'), condition: z.enum(['started', 'healthy']).prefault('started')}),
]).transform((value): ServiceDependency => (typeof value === 'string' ? {name: value, condition: 'started'} : value));

/** In a probe, `{port}` is the instance's port (see `port`) and `{instance}` its number. */
export const PORT_PLACEHOLDER = '{port}';
export const INSTANCE_PLACEHOLDER = '{instance}';

function hostPort(value: string, ctx: z.RefinementCtx): {host: string; port: number | null} {
  const match = /^(\[[^\]]+\]|[^:]+):(\d+|\{port\})$/.exec(value.trim());
  const port = match?.[2] === PORT_PLACEHOLDER ? null : match ? Number(match[2]) : NaN;
  if (!match || (port !== null && (port < 1 || port > 65535))) {
    ctx.issues.push({code: 'custom', message: `expected "host:port" such as "127.0.0.1:5432" (or "127.0.0.1:{port}"), got ${JSON.stringify(value)}`, input: value});
    return z.NEVER;
  }
  return {host: match[1]!.replace(/^\[|\]$/g, ''), port};
}

/** Checked as the URL an instance would get: the placeholders stand for numbers. */
const httpUrl = z.string().refine((value) => {
  const sample = value.replaceAll(PORT_PLACEHOLDER, '1').replaceAll(INSTANCE_PLACEHOLDER, '0').replace(/\{config\.[^{}]*\}/g, '1');
  return URL.canParse(sample) && /^https?:$/.test(new URL(sample).protocol);
}, {
  message: 'expected an http:// or https:// URL',
});

const healthSchema = z
  .strictObject({
    http: httpUrl.optional(),
    expect_status: z.number().int().min(100).max(599).optional(),
    tcp: z.string().optional(),
    exec: argv.optional(),
    heartbeat: z.literal(true).optional(),
    interval: duration('health.interval').prefault('10s'),
    timeout: duration('health.timeout').prefault('5s'),
    failure_threshold: z.number().int().min(1).prefault(3),
    initial_delay: duration('health.initial_delay').prefault(0),
  })
  .transform((value, ctx): HealthConfig => {
    const kinds = (['http', 'tcp', 'exec', 'heartbeat'] as const).filter((kind) => value[kind] !== undefined);
    if (kinds.length !== 1) {
      ctx.issues.push({code: 'custom', message: `expected exactly one probe of http, tcp, exec or heartbeat, got ${kinds.length === 0 ? 'none' : kinds.join(', ')}`, input: value});
      return z.NEVER;
    }
    if (value.expect_status !== undefined && value.http === undefined) {
      ctx.issues.push({code: 'custom', message: 'expect_status applies only to an http probe', path: ['expect_status'], input: value});
      return z.NEVER;
    }
    const timing = {intervalMs: value.interval, timeoutMs: value.timeout, failureThreshold: value.failure_threshold, initialDelayMs: value.initial_delay};
    if (value.http !== undefined) return {probe: {kind: 'http', url: value.http, expectStatus: value.expect_status ?? null}, ...timing};
    if (value.tcp !== undefined) return {probe: {kind: 'tcp', ...hostPort(value.tcp, ctx)}, ...timing};
    if (value.exec !== undefined) return {probe: {kind: 'exec', argv: value.exec}, ...timing};
    return {probe: {kind: 'heartbeat'}, ...timing};
  });

/** A watch glob names files under the service's cwd: relative, without "..", its braces closed. */
const watchGlob = z.string().min(1, 'expected a glob such as "src/**/*.js", got an empty string').superRefine((pattern, ctx) => {
  if (isAbsolute(pattern) || pattern.split('/').includes('..')) {
    ctx.addIssue({code: 'custom', message: `expected a glob relative to the service's cwd, without "..", such as "src/**/*.js", got ${JSON.stringify(pattern)}`});
    return;
  }
  try {
    globToRegExp(pattern);
  } catch (error) {
    ctx.addIssue({code: 'custom', message: (error as Error).message});
  }
});

const watchSchema = z.union([z.boolean(), z.array(watchGlob).min(1, 'expected at least one glob, or true for every file under the service\'s cwd')]);

const configValue = z.union([z.string(), z.number(), z.boolean()]);

/** True when `value` has the declared type; shared with the supervisor's `config set`. */
export function matchesConfigType(type: ConfigValueType, value: ConfigValue): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
  }
}

const configKeySchema = z
  .strictObject({
    type: z.enum(CONFIG_VALUE_TYPES),
    default: configValue.optional(),
    description: z.string().optional(),
    secret: z.boolean().prefault(false),
  })
  .transform((value, ctx): ConfigKeyDeclaration => {
    if (value.default !== undefined && !matchesConfigType(value.type, value.default)) {
      ctx.issues.push({code: 'custom', message: `default must be of type ${value.type}, got ${JSON.stringify(value.default)}`, path: ['default'], input: value.default});
      return z.NEVER;
    }
    return {type: value.type, default: value.default ?? null, description: value.description ?? null, secret: value.secret};
  });

const actionSchema = z
  .strictObject({command: command.optional(), description: z.string().optional(), timeout: duration('action timeout').prefault('5m')})
  .transform((value): ActionConfig => ({command: value.command ?? null, description: value.description ?? null, timeoutMs: value.timeout}));

const logsSchema = z.strictObject({
  max_size: size('logs.max_size').prefault('10MB'),
  keep: z.number().int().min(0).prefault(3),
});

const localServiceSchema = z
  .strictObject({
    remote: z.literal(false).optional(),
    command,
    cwd: z.string().min(1).optional(),
    env: z.record(z.string().regex(/^[^=\0]+$/, 'expected an environment variable name'), configValue).prefault({}),
    env_file: z.string().min(1).optional(),
    description: z.string().optional(),
    version: z.string().optional(),
    autostart: z.boolean().prefault(true),
    restart: z.enum(['always', 'on-failure', 'never']).prefault('on-failure'),
    backoff: backoffSchema.prefault({}),
    min_uptime: duration('min_uptime').prefault('10s'),
    max_restarts: z.number().int().min(0).prefault(5),
    restart_window: duration('restart_window').prefault('5m'),
    stop_signal: signal.prefault('SIGTERM'),
    stop_timeout: duration('stop_timeout').prefault('10s'),
    depends_on: z.array(dependencySchema).prefault([]),
    health: healthSchema.optional(),
    config: z.record(z.string().regex(CONFIG_KEY_PATTERN, 'expected a config key of letters, digits and _'), configKeySchema).prefault({}),
    actions: z.record(z.string().regex(NAME_PATTERN, 'expected an action name of letters, digits, - and _'), actionSchema).prefault({}),
    logs: logsSchema.prefault({}),
    max_memory: size('max_memory').optional(),
    instances: z.number().int().min(1, `expected 1 to ${MAX_INSTANCES} instances`).max(MAX_INSTANCES, `expected 1 to ${MAX_INSTANCES} instances`).prefault(1),
    port: z.number().int().min(1, 'expected a port from 1 to 65535').max(65535, 'expected a port from 1 to 65535').optional(),
    watch: watchSchema.optional(),
    watch_ignore: z.array(watchGlob).optional(),
  })
  .transform((value, ctx): ServiceConfig => {
    if (value.watch_ignore !== undefined && (value.watch === undefined || value.watch === false)) {
      ctx.issues.push({code: 'custom', message: 'watch_ignore applies only with watch: add watch = ["..."] (or true), or remove watch_ignore', path: ['watch_ignore'], input: value.watch_ignore});
      return z.NEVER;
    }
    // Here rather than in a refinement: a transform sees only a table whose every key parsed.
    const problems = [...instanceProblems(value.port ?? null, value.env, value.health ?? null), ...configReferenceProblems(value)];
    if (problems.length > 0) {
      for (const {suggestion, ...problem} of problems) ctx.issues.push({code: 'custom', input: value, ...problem, ...(suggestion === undefined ? {} : {params: {suggestion}})});
      return z.NEVER;
    }
    return {
      remote: false,
      command: value.command,
      cwd: value.cwd ?? null,
      env: Object.fromEntries(Object.entries(value.env).map(([key, entry]) => [key, String(entry)])),
      envFile: value.env_file ?? null,
      description: value.description ?? null,
      version: value.version ?? null,
      autostart: value.autostart,
      restart: value.restart,
      backoff: {initialMs: value.backoff.initial, factor: value.backoff.factor, maxMs: value.backoff.max},
      minUptimeMs: value.min_uptime,
      maxRestarts: value.max_restarts,
      restartWindowMs: value.restart_window,
      stopSignal: value.stop_signal as NodeJS.Signals,
      stopTimeoutMs: value.stop_timeout,
      dependsOn: value.depends_on,
      health: value.health ?? null,
      config: value.config,
      actions: value.actions,
      logs: {maxSizeBytes: value.logs.max_size, keep: value.logs.keep},
      maxMemoryBytes: value.max_memory ?? null,
      instances: value.instances,
      port: value.port ?? null,
      watch: value.watch === undefined || value.watch === false ? null : {paths: value.watch === true ? ['**'] : value.watch, ignore: value.watch_ignore ?? []},
    };
  });

/** What only a process the daemon starts has: refused on a remote service, each with the reason. */
const PROCESS_KEYS = ['command', 'cwd', 'env', 'env_file', 'autostart', 'restart', 'backoff', 'min_uptime', 'max_restarts', 'restart_window', 'stop_signal', 'stop_timeout', 'depends_on', 'logs', 'max_memory', 'instances', 'port', 'watch', 'watch_ignore'] as const;

/** The keys of a started process, at their defaults: a remote service has them only so that every service has the same shape. */
const PROCESS_DEFAULTS: ServiceConfig = localServiceSchema.parse({command: ['-']});

/** A remote service that declares no probe is still watched: its agent's heartbeats, at the defaults of a probe. */
const REMOTE_HEALTH: HealthConfig = {probe: {kind: 'heartbeat'}, intervalMs: 10_000, timeoutMs: 5_000, failureThreshold: 3, initialDelayMs: 0};

const remoteServiceSchema = z
  .strictObject({
    remote: z.literal(true),
    description: z.string().optional(),
    version: z.string().optional(),
    health: healthSchema.optional(),
    config: z.record(z.string().regex(CONFIG_KEY_PATTERN, 'expected a config key of letters, digits and _'), configKeySchema).prefault({}),
    actions: z.record(z.string().regex(NAME_PATTERN, 'expected an action name of letters, digits, - and _'), actionSchema).prefault({}),
    ...(Object.fromEntries(PROCESS_KEYS.map((key) => [key, z.unknown().optional()])) as Record<(typeof PROCESS_KEYS)[number], z.ZodOptional<z.ZodUnknown>>),
  })
  .transform((value, ctx): ServiceConfig => {
    const given = PROCESS_KEYS.filter((key) => value[key] !== undefined);
    for (const key of given) {
      ctx.issues.push({code: 'custom', message: `${key} applies only to a service the daemon starts; a remote service (remote = true) runs on another machine: remove ${key}, or remove remote = true and give a command`, path: [key], input: value[key]});
    }
    if (value.health !== undefined && value.health.probe.kind !== 'heartbeat') {
      ctx.issues.push({code: 'custom', message: `a remote service is probed by its agent's heartbeats: expected health = {heartbeat = true, ...}, got a ${value.health.probe.kind} probe`, path: ['health'], input: value.health});
    }
    for (const [name, action] of Object.entries(value.actions)) {
      if (action.command !== null) ctx.issues.push({code: 'custom', message: `an action of a remote service is run by its agent, where the service runs: remove command`, path: ['actions', name, 'command'], input: action.command});
    }
    if (ctx.issues.length > 0) return z.NEVER;
    return {
      ...PROCESS_DEFAULTS,
      remote: true,
      command: [],
      description: value.description ?? null,
      version: value.version ?? null,
      // Nothing to restart: the daemon does not run it.
      restart: 'never',
      health: value.health ?? REMOTE_HEALTH,
      config: value.config,
      actions: value.actions,
    };
  });

/** A `[services.NAME]` table: a process the daemon runs, or (`remote = true`) a service whose agent connects from elsewhere. */
export const serviceSchema = z.discriminatedUnion('remote', [localServiceSchema, remoteServiceSchema]);

interface PlacedProblem {
  message: string;
  path: (string | number)[];
  suggestion?: string;
}

/** `{config.KEY}` in the fields that take it: a declared key, and no secret where `ps` or `capsule services` would show it. */
function configReferenceProblems(value: {command: string[] | string; cwd?: string | undefined; env: Record<string, unknown>; health?: HealthConfig | undefined; config: Record<string, ConfigKeyDeclaration>}): PlacedProblem[] {
  const fields: {path: (string | number)[]; text: string; visible: boolean}[] = [];
  if (typeof value.command === 'string') fields.push({path: ['command'], text: value.command, visible: true});
  else value.command.forEach((arg, index) => fields.push({path: ['command', index], text: arg, visible: true}));
  if (value.cwd !== undefined) fields.push({path: ['cwd'], text: value.cwd, visible: true});
  for (const [key, entry] of Object.entries(value.env)) if (typeof entry === 'string') fields.push({path: ['env', key], text: entry, visible: false});
  const probe = value.health?.probe;
  if (probe?.kind === 'http') fields.push({path: ['health', 'http'], text: probe.url, visible: true});
  if (probe?.kind === 'exec') probe.argv.forEach((arg, index) => fields.push({path: ['health', 'exec', index], text: arg, visible: true}));
  return fields.flatMap(({path, text, visible}) => referenceProblems(text, value.config, visible).map((problem) => ({...problem, path})));
}

/** What `port` and `{port}` need: room for every instance's port, PORT left to `port`, and a `port` for `{port}`. */
function instanceProblems(port: number | null, env: Record<string, unknown>, health: HealthConfig | null): PlacedProblem[] {
  const problems: PlacedProblem[] = [];
  if (port !== null && port + MAX_INSTANCES - 1 > 65535) {
    problems.push({message: `expected a port of at most ${65536 - MAX_INSTANCES}, so that every instance (up to ${MAX_INSTANCES}, with \`capsule scale\`) has one`, path: ['port']});
  }
  if (port !== null && 'PORT' in env) problems.push({message: 'PORT is set by `port` (port + the instance number): remove it from env, or remove `port`', path: ['env', 'PORT']});
  if (port === null && health !== null && usesPortPlaceholder(health)) {
    problems.push({message: `{port} in a probe needs the service's \`port\` (instance N listens on port + N): add \`port = 8000\`, say`, path: ['health']});
  }
  return problems;
}

function usesPortPlaceholder(health: HealthConfig): boolean {
  const {probe} = health;
  if (probe.kind === 'http') return probe.url.includes(PORT_PLACEHOLDER);
  if (probe.kind === 'tcp') return probe.port === null;
  if (probe.kind === 'exec') return probe.argv.some((arg) => arg.includes(PORT_PLACEHOLDER));
  return false;
}
