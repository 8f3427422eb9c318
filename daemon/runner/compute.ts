// Local until src/config exports `parseCompute` (being added on the config branch); then this
// file should re-export or be replaced by that one so both read `compute` the same way.
import {CapsuleError} from '../../src/lib/errors.js';
import {didYouMean} from '../../src/lib/suggest.js';

/** CPU milliseconds per attempt for each named compute level. */
export const COMPUTE_LEVELS = {LOW: 5_000, MEDIUM: 30_000, HIGH: 120_000} as const;

export type ComputeLevel = keyof typeof COMPUTE_LEVELS;

/** Reads a compute budget: "LOW", "MEDIUM", "HIGH" or a positive number of CPU milliseconds. */
export function parseCompute(value: unknown, what = 'compute'): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return Math.round(value);
  if (typeof value === 'string' && Object.hasOwn(COMPUTE_LEVELS, value)) return COMPUTE_LEVELS[value as ComputeLevel];
  const suggestion = typeof value === 'string' ? didYouMean(value, Object.keys(COMPUTE_LEVELS)) : undefined;
  throw new CapsuleError('bad_input', `invalid ${what}: expected "LOW", "MEDIUM", "HIGH" or a positive number of CPU milliseconds, got ${JSON.stringify(value)}`, {
    hint: suggestion ? `did you mean "${suggestion}"?` : 'LOW = 5s, MEDIUM = 30s, HIGH = 120s of CPU time per attempt',
  });
}
