import {z} from 'zod';
import {CapsuleError} from '../lib/errors.js';
import {parseDuration} from '../lib/duration.js';
import {parseSize} from '../lib/size.js';
import {COMPUTE_EXPECTED, parseCompute, suggestComputeLevel} from './compute.js';
import {describeValue} from './describe.js';

/** Per-task limits from `[defaults]`, normalised; a task's own options override them. */
export interface TaskDefaults {
  /** CPU-time budget per attempt, ms. @default 30000 (MEDIUM) */
  computeMs: number;
  /** Memory cap per attempt, bytes. @default 256MB */
  ramBytes: number;
  /** Wall-clock limit per attempt, ms. @default 30s */
  timeoutMs: number;
  /** Attempts after the first one fails. @default 2 */
  maxRetries: number;
}

/** No JS worker starts in less; a smaller value is almost surely a missing unit. */
export const MIN_RAM_BYTES = parseSize('1MB');
/** Retries beyond this are a loop, not a policy. */
export const MAX_RETRIES_LIMIT = 100;

/**
 * A value run through one of the shared parsers. `parse` refuses a value by returning
 * undefined or throwing a CapsuleError; the issue then says what was expected and what was got.
 */
function parsedValue(expected: string, parse: (value: string | number) => number | undefined, suggest?: (value: unknown) => string | undefined) {
  return z.unknown().transform((value, ctx): number => {
    const parsed = typeof value === 'string' || typeof value === 'number' ? orUndefined(() => parse(value)) : undefined;
    if (parsed !== undefined) return parsed;
    ctx.addIssue({code: 'custom', message: `expected ${expected}, got ${describeValue(value)}`, params: {suggestion: suggest?.(value) ?? null}});
    return z.NEVER;
  });
}

function orUndefined(parse: () => number | undefined): number | undefined {
  try {
    return parse();
  } catch (error) {
    if (error instanceof CapsuleError) return undefined;
    throw error;
  }
}

const compute = parsedValue(COMPUTE_EXPECTED, parseCompute, suggestComputeLevel);

// A bare number is refused although parseSize takes it as bytes: in a config file `ram = 256` means megabytes to whoever wrote it.
const ram = parsedValue('a size of at least 1MB such as "256MB" or "2GB"', (value) => {
  if (typeof value !== 'string') return undefined;
  const bytes = parseSize(value);
  return bytes >= MIN_RAM_BYTES ? bytes : undefined;
});

const timeout = parsedValue('a duration above zero such as "30s", "5m" or "1h"', (value) => {
  const ms = parseDuration(value);
  return ms > 0 ? ms : undefined;
});

const maxRetries = parsedValue(`an integer from 0 to ${MAX_RETRIES_LIMIT}`, (value) =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_RETRIES_LIMIT ? value : undefined,
);

/** `[defaults]`; every key is optional and the defaults are written as a user would write them. */
export const defaultsSchema = z
  .strictObject({
    compute: compute.prefault('MEDIUM'),
    ram: ram.prefault('256MB'),
    timeout: timeout.prefault('30s'),
    max_retries: maxRetries.prefault(2),
  })
  .transform((table): TaskDefaults => ({computeMs: table.compute, ramBytes: table.ram, timeoutMs: table.timeout, maxRetries: table.max_retries}));
