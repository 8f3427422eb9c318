import {parseDuration} from '../../src/lib/duration.js';
import {CapsuleError} from '../../src/lib/errors.js';
import {parseSize} from '../../src/lib/size.js';
import {didYouMean} from '../../src/lib/suggest.js';
import {DEFAULT_BACKOFF, type BackoffPolicy} from './backoff.js';
import {parseCompute} from '../../src/config/compute.js';
import type {AttemptLimits, DiscoveredTask, Isolation, TaskLocation} from './executor-api.js';
import {parseLockTemplate} from './lock-key.js';
import {taskEnvironment, type DeclaredEnv} from './task-env.js';

/** `[defaults]` of capsule.toml, already read into numbers: what a task inherits when its options omit them. */
export interface TaskDefaults {
  computeMs: number;
  ramBytes: number;
  timeoutMs: number;
  maxRetries: number;
}

/** What a run does when its lock key is taken: wait its turn, or end at once as cancelled. */
export type LockMode = 'queue' | 'skip';

/** A task ready to run: every option checked and turned into numbers. */
export interface TaskSpec extends TaskLocation {
  name: string;
  isolation: Isolation;
  limits: AttemptLimits;
  maxRetries: number;
  backoff: BackoffPolicy;
  /** The whole environment the task sees. */
  env: Record<string, string>;
  /** Most runs of this task attempting at once; null for no cap beyond the daemon's. */
  concurrency: number | null;
  /** Lock key template such as "report:{id}"; null for none. */
  lock: string | null;
  lockMode: LockMode;
}

/** More retries than this is a loop, not a retry policy. */
export const MAX_RETRIES_LIMIT = 100;

// `schedule` is read by the scheduler (src/config/schedules.ts scheduleFromTask), not here.
const OPTION_NAMES = ['name', 'compute', 'ram', 'timeout', 'maxRetries', 'backoff', 'env', 'isolation', 'concurrency', 'lock', 'lockMode', 'schedule'];
const BACKOFF_KEYS = ['initial', 'factor', 'max', 'jitter'];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Checks the options a task declared with `task()` and fills what it omits from the project's
 * defaults. Throws `config_invalid` naming the task, the option, what was expected and what was got.
 * `daemonEnv` supplies the variables a task declares by name.
 */
export function normaliseTask(namespace: string, discovered: DiscoveredTask, defaults: TaskDefaults, daemonEnv: NodeJS.ProcessEnv): TaskSpec {
  const where = `task ${namespace}/${discovered.name}`;
  const options = discovered.options;
  for (const key of Object.keys(options)) {
    if (OPTION_NAMES.includes(key)) continue;
    const suggestion = didYouMean(key, OPTION_NAMES);
    throw new CapsuleError('config_invalid', `${where}: unknown option "${key}"`, {
      hint: suggestion ? `did you mean "${suggestion}"?` : `task() accepts ${OPTION_NAMES.join(', ')}`,
    });
  }
  const read = <T>(option: string, parse: (value: unknown) => T, fallback: T): T => {
    const value = options[option];
    if (value === undefined) return fallback;
    try {
      return parse(value);
    } catch (error) {
      throw optionError(where, option, error);
    }
  };
  const lock = read('lock', parseLock, null);
  const lockMode = read('lockMode', (value) => oneOf(value, ['queue', 'skip'] as const), 'queue' as LockMode);
  if (options.lockMode !== undefined && lock === null) {
    throw new CapsuleError('config_invalid', `${where}: option "lockMode" has no effect without "lock"`, {hint: 'add a lock template such as "report:{id}", or remove lockMode'});
  }
  return {
    name: discovered.name,
    modulePath: discovered.modulePath,
    exportName: discovered.exportName,
    isolation: read('isolation', (value) => oneOf(value, ['thread', 'process'] as const), 'thread' as Isolation),
    limits: {
      computeMs: read('compute', (value) => parseCompute(stringOrNumber(value)), defaults.computeMs),
      ramBytes: read('ram', (value) => positive(parseSize(stringOrNumber(value), 'ram')), defaults.ramBytes),
      timeoutMs: read('timeout', (value) => positive(parseDuration(stringOrNumber(value), 'timeout')), defaults.timeoutMs),
    },
    maxRetries: read('maxRetries', (value) => integer(value, 0, MAX_RETRIES_LIMIT), defaults.maxRetries),
    backoff: read('backoff', parseBackoff, DEFAULT_BACKOFF),
    env: taskEnvironment(read('env', parseDeclaredEnv, [] as DeclaredEnv), daemonEnv),
    concurrency: read('concurrency', (value) => integer(value, 1, Number.MAX_SAFE_INTEGER), null),
    lock,
    lockMode,
  };
}

function optionError(where: string, option: string, error: unknown): CapsuleError {
  const message = error instanceof Error ? error.message : String(error);
  const hint = error instanceof CapsuleError ? error.hint : undefined;
  return new CapsuleError('config_invalid', `${where}: option "${option}": ${message}`, {hint, cause: error});
}

function expected(what: string, value: unknown): Error {
  return new Error(`expected ${what}, got ${JSON.stringify(value) ?? String(value)}`);
}

function stringOrNumber(value: unknown): string | number {
  if (typeof value === 'string' || typeof value === 'number') return value;
  throw expected('a string or a number', value);
}

function positive(value: number): number {
  if (value > 0) return value;
  throw expected('a value above zero', value);
}

function integer(value: unknown, min: number, max: number): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  throw expected(max === Number.MAX_SAFE_INTEGER ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`, value);
}

function oneOf<const T extends string>(value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw expected(`one of ${allowed.map((item) => `"${item}"`).join(', ')}`, value);
}

function parseLock(value: unknown): string {
  if (typeof value !== 'string') throw expected('a key template such as "report:{id}"', value);
  parseLockTemplate(value);
  return value;
}

function parseBackoff(value: unknown): BackoffPolicy {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw expected('an object such as {initial: "1s", factor: 2, max: "5m", jitter: 0.2}', value);
  const fields = value as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!BACKOFF_KEYS.includes(key)) throw expected(`only the keys ${BACKOFF_KEYS.join(', ')}`, key);
  }
  const {initial, factor, max, jitter} = fields;
  const policy = {...DEFAULT_BACKOFF};
  if (initial !== undefined) policy.initialMs = parseDuration(stringOrNumber(initial), 'backoff.initial');
  if (max !== undefined) policy.maxMs = parseDuration(stringOrNumber(max), 'backoff.max');
  if (factor !== undefined) {
    if (typeof factor !== 'number' || !(factor >= 1) || !Number.isFinite(factor)) throw expected('backoff.factor to be a number of at least 1', factor);
    policy.factor = factor;
  }
  if (jitter !== undefined) {
    if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) throw expected('backoff.jitter to be a number from 0 to 1', jitter);
    policy.jitter = jitter;
  }
  return policy;
}

function parseDeclaredEnv(value: unknown): DeclaredEnv {
  if (Array.isArray(value)) {
    for (const name of value) {
      if (typeof name !== 'string' || !ENV_NAME.test(name)) throw expected('variable names such as "API_KEY"', name);
    }
    return value as string[];
  }
  if (typeof value === 'object' && value !== null) {
    for (const [name, text] of Object.entries(value)) {
      if (!ENV_NAME.test(name)) throw expected('variable names such as "API_KEY"', name);
      if (typeof text !== 'string') throw expected(`a string value for ${name}`, text);
    }
    return value as Record<string, string>;
  }
  throw expected('a list of variable names or an object of name → value', value);
}
