import {parseDuration} from '../lib/duration.js';
import {CapsuleError} from '../lib/errors.js';
import {formatSize, parseSize} from '../lib/size.js';
import {didYouMean} from '../lib/suggest.js';
import {COMPUTE_EXPECTED, parseCompute, suggestComputeLevel} from './compute.js';
import {describeValue} from './describe.js';
import {ISOLATIONS, type Isolation} from '../protocol/vocabulary.js';
import type {SandboxPolicy} from './sandbox-policy.js';

/**
 * One set of rules for a task's limits, whether they are written in `[defaults]` of capsule.toml
 * or passed to `task({...})`: a value is taken or refused the same way on both sides, and a
 * refusal says the same thing; each side only adds where it was written.
 */

/** What one attempt of a task may use. */
export interface AttemptLimits {
  /** CPU-time budget per attempt, ms. @default 30000 (MEDIUM) */
  computeMs: number;
  /** Memory cap per attempt, bytes: heap for threads; heap and RSS for processes. @default 256MB */
  ramBytes: number;
  /** Wall-clock limit per attempt, ms. @default 30s */
  timeoutMs: number;
}

/** `[defaults]` of capsule.toml, normalised: what a task inherits when its options omit them. */
export interface TaskDefaults extends AttemptLimits {
  /** Attempts after the first one fails. @default 2 */
  maxRetries: number;
  /** @default "thread" */
  isolation: Isolation;
  /** What a sandboxed task reaches unless its task() options say otherwise; tasks of other isolations ignore it. @default DEFAULT_SANDBOX_POLICY */
  sandbox: SandboxPolicy;
}

/** What `backoff` sets; what it leaves out keeps the runner's default. */
export interface BackoffOverrides {
  initialMs?: number;
  factor?: number;
  maxMs?: number;
  /** Fraction of each delay taken away at random, 0 to 1. */
  jitter?: number;
}

/** No JS worker starts in less, no scratch directory is worth less; a smaller value is almost surely a missing unit. */
const MIN_SIZE_BYTES = parseSize('1MB');
/** Retries beyond this are a loop, not a policy. */
const MAX_RETRIES_LIMIT = 100;
const BACKOFF_KEYS = ['initial', 'factor', 'max', 'jitter'] as const;

/**
 * A value a rule took, normalised, or refused: `message` says what was expected and what was got,
 * `suggestion` the likely intended value, `key` the part of the value at fault.
 */
export type Checked<T> = {ok: true; value: T} | Refusal;

export interface Refusal {
  ok: false;
  message: string;
  suggestion: string | null;
  /** A key of an object value, or the index of a list's element. */
  key?: string | number;
  hint?: string;
}

export type Rule<T> = (value: unknown) => Checked<T>;

/**
 * A rule over one of the shared parsers. `parse` refuses a value by returning undefined or
 * throwing a CapsuleError; the refusal then says `expected` and what was got.
 */
function rule<T>(expected: string, parse: (value: unknown) => T | undefined, suggest?: (value: unknown) => string | undefined): Rule<T> {
  return (value) => {
    const parsed = orUndefined(() => parse(value));
    if (parsed !== undefined) return {ok: true, value: parsed};
    return refused(expected, value, suggest?.(value));
  };
}

export function refused(expected: string, value: unknown, suggestion?: string): Refusal {
  return {ok: false, message: `expected ${expected}, got ${describeValue(value)}`, suggestion: suggestion ?? null};
}

function orUndefined<T>(parse: () => T | undefined): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (error instanceof CapsuleError) return undefined;
    throw error;
  }
}

const stringOrNumber = (value: unknown): value is string | number => typeof value === 'string' || typeof value === 'number';

const integer = (min: number, max: number) => (value: unknown) => (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : undefined);

export const oneOfRule = <const T extends string>(allowed: readonly T[]): Rule<T> =>
  rule(
    `one of ${allowed.map((item) => JSON.stringify(item)).join(', ')}`,
    (value) => ((allowed as readonly unknown[]).includes(value) ? (value as T) : undefined),
    (value) => (typeof value === 'string' ? didYouMean(value, allowed) : undefined),
  );

export const computeRule = rule(COMPUTE_EXPECTED, (value) => (stringOrNumber(value) ? parseCompute(value) : undefined), suggestComputeLevel);

/**
 * A size with its unit, of at least 1MB. A bare number is refused although parseSize takes it as bytes: whoever writes `ram = 256`
 * means megabytes, whoever writes 268435456 means bytes, and a limit must not guess.
 */
export const sizeRule = (examples: string, maxBytes = Number.POSITIVE_INFINITY): Rule<number> =>
  rule(
    `a size with its unit, of at least 1MB${Number.isFinite(maxBytes) ? ` and at most ${formatSize(maxBytes)}` : ''}, such as ${examples}`,
    (value) => {
      if (typeof value !== 'string' || /^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
      const bytes = parseSize(value);
      return bytes >= MIN_SIZE_BYTES && bytes <= maxBytes ? bytes : undefined;
    },
    (value) => {
      const number = typeof value === 'string' ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isFinite(number) || number <= 0) return undefined;
      return number < MIN_SIZE_BYTES ? `${number}MB` : formatSize(number);
    },
  );

export const ramRule = sizeRule('"256MB" or "2GB"');

/** A sandbox's scratch directory and its /tmp are each a tmpfs of this size: the machine's memory, which no task limit counts. */
export const MAX_SCRATCH_BYTES = 2 * 1024 * 1024 * 1024;

export const scratchRule = sizeRule('"64MB" or "1GB"', MAX_SCRATCH_BYTES);

export const timeoutRule = rule('a duration above zero such as "30s", "5m" or "1h"', (value) => {
  const ms = stringOrNumber(value) ? parseDuration(value) : 0;
  return ms > 0 ? ms : undefined;
});

export const maxRetriesRule = rule(`an integer from 0 to ${MAX_RETRIES_LIMIT}`, integer(0, MAX_RETRIES_LIMIT));

export const concurrencyRule = rule('an integer of at least 1', integer(1, Number.MAX_SAFE_INTEGER));

export const isolationRule = oneOfRule(ISOLATIONS);

const delayRule = rule('a duration such as "1s" or "5m"', (value) => (stringOrNumber(value) ? parseDuration(value) : undefined));
const factorRule = rule('a number of at least 1', (value) => (typeof value === 'number' && Number.isFinite(value) && value >= 1 ? value : undefined));
// `true` is the default jitter, spelt out; a number is the fraction itself.
const jitterRule = rule<number | null>('true, false or a number from 0 to 1', (value) => {
  if (value === true) return null;
  if (value === false) return 0;
  return typeof value === 'number' && value >= 0 && value <= 1 ? value : undefined;
});

export const backoffRule: Rule<BackoffOverrides> = (value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refused('an object such as {initial: "1s", factor: 2, max: "5m", jitter: true}', value);
  }
  const fields = value as Record<string, unknown>;
  const overrides: BackoffOverrides = {};
  for (const [key, field] of Object.entries(fields)) {
    const checked = backoffField(key, field, overrides);
    if (!checked.ok) return {...checked, key};
  }
  return {ok: true, value: overrides};
};

function backoffField(key: string, field: unknown, overrides: BackoffOverrides): Checked<unknown> {
  const take = <T>(checked: Checked<T>, set: (value: T) => void): Checked<unknown> => {
    if (checked.ok) set(checked.value);
    return checked;
  };
  switch (key) {
    case 'initial':
      return take(delayRule(field), (ms) => (overrides.initialMs = ms));
    case 'max':
      return take(delayRule(field), (ms) => (overrides.maxMs = ms));
    case 'factor':
      return take(factorRule(field), (factor) => (overrides.factor = factor));
    case 'jitter':
      return take(jitterRule(field), (jitter) => {
        if (jitter !== null) overrides.jitter = jitter;
      });
    default:
      return {ok: false, message: `unknown key; expected one of ${BACKOFF_KEYS.join(', ')}`, suggestion: didYouMean(key, BACKOFF_KEYS) ?? null};
  }
}
